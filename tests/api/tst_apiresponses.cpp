#include <QJsonDocument>
#include <QTest>

#include "daemon-core/api/apiresponses.h"
#include "daemon-core/storage/storageerror.h"

using namespace prophasis;

namespace {

QJsonObject bodyOf(const HttpResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

HttpRequest jsonRequest(const QByteArray &body, const QByteArray &type = "application/json; charset=utf-8")
{
    HttpRequest request;
    request.method = "POST";
    request.path = QStringLiteral("/api/v1/hosts");
    request.headers = {{QByteArray("Content-Type"), type}};
    request.body = body;
    return request;
}

} // namespace

// The one shape of the management API's failures, which the console shows beside each field.
class TestApiResponses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fieldErrorsAre422WithEachField()
    {
        FieldErrors errors;
        errors.add(QStringLiteral("name"), QStringLiteral("must not be empty"));
        errors.add(QStringLiteral("intervals.0.period_s"), QStringLiteral("must be at least 1"));
        errors.add(QStringLiteral("name"), QStringLiteral("a second complaint"));
        const HttpResponse response = fieldErrorsResponse(errors);
        QCOMPARE(response.status, 422);
        const QJsonObject body = bodyOf(response);
        QCOMPARE(body.value(QStringLiteral("error")).toString(), HttpResponse::errorCode(422));
        const QJsonObject fields = body.value(QStringLiteral("fields")).toObject();
        QCOMPARE(fields.size(), 2);
        QCOMPARE(fields.value(QStringLiteral("name")).toString(), QStringLiteral("must not be empty"));
        QCOMPARE(fields.value(QStringLiteral("intervals.0.period_s")).toString(),
                 QStringLiteral("must be at least 1"));
        QVERIFY(
            body.value(QStringLiteral("message")).toString().contains(QStringLiteral("must not be empty")));
    }

    void storageErrorsMapToStatuses_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("hasFields");
        QTest::newRow("not found") << int(StorageError::Kind::NotFound) << 404 << false;
        QTest::newRow("stale version") << int(StorageError::Kind::Conflict) << 409 << false;
        QTest::newRow("duplicate name") << int(StorageError::Kind::Duplicate) << 409 << true;
        QTest::newRow("missing reference") << int(StorageError::Kind::MissingReference) << 422 << true;
        QTest::newRow("invalid") << int(StorageError::Kind::Invalid) << 422 << true;
        QTest::newRow("database away") << int(StorageError::Kind::Unavailable) << 503 << false;
        QTest::newRow("internal") << int(StorageError::Kind::Internal) << 500 << false;
    }

    void storageErrorsMapToStatuses()
    {
        QFETCH(int, kind);
        QFETCH(int, status);
        QFETCH(bool, hasFields);
        const StorageError error(StorageError::Kind(kind), QStringLiteral("secret detail of web1"),
                                 QStringLiteral("name"));
        const HttpResponse response = storageErrorResponse(error);
        QCOMPARE(response.status, status);
        const QJsonObject body = bodyOf(response);
        QCOMPARE(body.contains(QStringLiteral("fields")), hasFields);
        if (hasFields)
            QCOMPARE(body.value(QStringLiteral("fields")).toObject().value(QStringLiteral("name")).toString(),
                     QStringLiteral("secret detail of web1"));
        // Internal details and database errors stay in the log.
        if (status >= 500)
            QVERIFY(!body.value(QStringLiteral("message")).toString().contains(QStringLiteral("web1")));
        if (status == 503)
            QVERIFY(response.headers.contains({QByteArray("Retry-After"), QByteArray("5")}));
    }

    void jsonBodiesAreReadOrRefused()
    {
        HttpResponse refusal;
        const std::optional<QJsonObject> body =
            readJsonObject(jsonRequest(R"({"name": "web1", "port": 4048})"), &refusal);
        QVERIFY(body);
        QCOMPARE(body->value(QStringLiteral("name")).toString(), QStringLiteral("web1"));

        QVERIFY(!readJsonObject(jsonRequest("name=web1", "application/x-www-form-urlencoded"), &refusal));
        QCOMPARE(refusal.status, 415);
        QVERIFY(!readJsonObject(jsonRequest(R"({"name": )"), &refusal));
        QCOMPARE(refusal.status, 400);
        QVERIFY(
            bodyOf(refusal).value(QStringLiteral("message")).toString().contains(QStringLiteral("at byte")));
        QVERIFY(!readJsonObject(jsonRequest("[1, 2]"), &refusal));
        QCOMPARE(refusal.status, 400);
    }
};

QTEST_GUILESS_MAIN(TestApiResponses)
#include "tst_apiresponses.moc"
