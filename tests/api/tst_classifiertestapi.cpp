#include <QSignalSpy>
#include <QTest>

#include "daemon-core/api/operationroutes.h"
#include "daemon-core/engine/coreengine.h"
#include "tests/api/apitestserver.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/engine/shopfixture.h"

using namespace prophasis;
using namespace prophasis::test::shop;

// POST /api/v1/hosts/{id}/test-classifier against a running engine (mock agents, the real
// classification worker) on SQLite and PostgreSQL: the stored results of a series classified by
// a classifier under edit, nothing stored; errors and hostile code answered, not fatal; admins only.
class TestClassifierTestApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classifiesStoredResultsWithoutStoring()
    {
        ShopBench bench(QStringLiteral("classifiertestapi"));
        QVERIFY(bench.start());
        CoreEngine engine(*bench.storage, SecretBox(SecretBox::generateKey()), bench.core,
                          bench.engineOptions());
        QSignalSpy started(&engine, &CoreEngine::started);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        QVERIFY(started.wait(10'000));
        const Shop &shop = bench.shop;
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web1.id), State::Ok, 15'000);

        test::ApiTestServer api(*bench.storage, this);
        mountOperationRoutes(api.routes(), api.api(), engine, SecretBox(SecretBox::generateKey()));
        QVERIFY2(api.start(&error), qPrintable(error));
        const QString admin = api.loginAdmin();
        const QByteArray target =
            "/api/v1/hosts/" + shop.web1.id.toString(QUuid::WithoutBraces).toUtf8() + "/test-classifier";
        const auto series = [&](const QString &source) {
            QJsonObject body{{QStringLiteral("check_id"), shop.check.id.toString(QUuid::WithoutBraces)},
                             {QStringLiteral("plugin_id"), shop.plugin.id.toString(QUuid::WithoutBraces)}};
            if (!source.isNull())
                body.insert(QStringLiteral("source"), source);
            return body;
        };
        const LatestResults before = engine.health().latest();

        // The plugin's own classifier, then the one being edited.
        test::HttpsAnswer answer = api.call("POST", target, admin, series({}));
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("ok"));
        answer = api.call("POST", target, admin,
                          series(QStringLiteral("if #results >= 1 then return 'major' end\nreturn 'ok'")));
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("major"));

        // A classifier that does not compile, and one that never ends: unknown, with the reason.
        answer = api.call("POST", target, admin, series(QStringLiteral("return 'ok' +")));
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("unknown"));
        QVERIFY(!answer.json().value(QStringLiteral("error")).toString().isEmpty());
        answer = api.call("POST", target, admin, series(QStringLiteral("while true do end")));
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("unknown"));
        QVERIFY(!answer.json().value(QStringLiteral("error")).toString().isEmpty());

        // Nothing was stored or changed by the trial runs.
        QCOMPARE(engine.health().hostState(shop.web1.id), State::Ok);
        const SeriesKey key{shop.web1.id, shop.check.id, shop.plugin.id};
        QVERIFY(engine.health().latest().value(key).classification == State::Ok);
        QVERIFY(before.contains(key));

        // Bad requests: the field named; a series without results: 404; runs Lua: admins only.
        answer = api.call("POST", target, admin, {{QStringLiteral("source"), QStringLiteral("return 'ok'")}});
        QCOMPARE(answer.status, 422);
        QVERIFY(
            answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("check_id")));
        QJsonObject tooMuchHistory = series({});
        tooMuchHistory.insert(QStringLiteral("n_historical"), 100'000);
        QCOMPARE(api.call("POST", target, admin, tooMuchHistory).status, 422);
        const QByteArray web2Target = "/api/v1/hosts/" +
                                      QUuid::createUuid().toString(QUuid::WithoutBraces).toUtf8() +
                                      "/test-classifier";
        QCOMPARE(api.call("POST", web2Target, admin, series({})).status, 404);
        QCOMPARE(api.call("POST", target, api.loginOperator(), series({})).status, 403);
        QCOMPARE(api.call("POST", target, api.loginViewer(), series({})).status, 403);
        QCOMPARE(api.call("POST", target, {}, series({})).status, 401);
        engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!engine.isRunning(), 15'000);
    }
};

QTEST_GUILESS_MAIN(TestClassifierTestApi)
#include "tst_classifiertestapi.moc"
