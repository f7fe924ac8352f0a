#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

using namespace prophasis;

// The mock agent the core's tests will drive: real process, real TLS, answers from a file.
class TestMockAgent : public QObject
{
    Q_OBJECT

    struct Answer
    {
        int status = 0;
        QJsonObject json;
        QNetworkReply::NetworkError error = QNetworkReply::NoError;
        QString pinMismatch;
        qint64 elapsedMs = 0;
    };

    void writeConfig(const QJsonObject &hosts)
    {
        QSaveFile file(m_dir.filePath(QStringLiteral("hosts.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("core_keys"), QJsonArray{spkiSha256(m_core.certificate)}},
                                             {QStringLiteral("hosts"), hosts}})
                       .toJson());
        QVERIFY(file.commit());
    }

    static QJsonObject host(const QString &behaviour, const QJsonObject &result = {})
    {
        QJsonObject plugin{{QStringLiteral("sha256"), QString(64, u'a')}};
        if (!result.isEmpty())
            plugin.insert(QStringLiteral("result"), result);
        return {{QStringLiteral("port"), 0},
                {QStringLiteral("behaviour"), behaviour},
                {QStringLiteral("delay_ms"), 600},
                {QStringLiteral("plugins"), QJsonObject{{QStringLiteral("org.test.load"), plugin}}}};
    }

    // Reads the mock's "host is listening" lines until `name` shows up (again).
    QJsonObject waitForHost(const QString &name)
    {
        QDeadlineTimer deadline(10'000);
        while (!deadline.hasExpired()) {
            while (m_mock.canReadLine()) {
                const QJsonObject line = QJsonDocument::fromJson(m_mock.readLine()).object();
                if (line.value(QStringLiteral("host")).toString() == name)
                    return line;
            }
            m_mock.waitForReadyRead(100);
        }
        return {};
    }

    Answer call(const QJsonObject &target, const QByteArray &method, const QString &path, const QByteArray &body = {},
                int timeoutMs = 5000, const TlsIdentity *client = nullptr)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(target.value(QStringLiteral("port")).toInt()).arg(path)));
        request.setSslConfiguration(pinnedClientConfiguration(client ? *client : m_core));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(timeoutMs);
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = network.sendCustomRequest(request, method, body);
        pinReply(reply, target.value(QStringLiteral("spki_sha256")).toString());
        QSignalSpy(reply, &QNetworkReply::finished).wait(timeoutMs + 5000);
        Answer answer;
        answer.elapsedMs = timer.elapsed();
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->isOpen())
            answer.json = QJsonDocument::fromJson(reply->readAll()).object();
        answer.error = reply->error();
        answer.pinMismatch = reply->property("prophasis.pinMismatch").toString();
        return answer;
    }

    QByteArray runBody(const QString &sha) const
    {
        return QJsonDocument(QJsonObject{{QStringLiteral("expect_sha256"), sha}}).toJson();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_core = TlsIdentity::generate(QStringLiteral("core"));
        writeConfig({{QStringLiteral("web1"), host(QStringLiteral("normal"), {{QStringLiteral("value"), 0.5},
                                                                              {QStringLiteral("message"), QStringLiteral("fine")}})},
                     {QStringLiteral("web2"), host(QStringLiteral("normal"))}});
        m_mock.start(QStringLiteral(PROPHASIS_MOCK_AGENT_BINARY),
                     {QStringLiteral("--hosts"), m_dir.filePath(QStringLiteral("hosts.json")), QStringLiteral("--identity-dir"),
                      m_dir.filePath(QStringLiteral("keys"))});
        m_web1 = waitForHost(QStringLiteral("web1"));
        m_web2 = waitForHost(QStringLiteral("web2"));
        QVERIFY(!m_web1.isEmpty() && !m_web2.isEmpty());
        QVERIFY(m_web1.value(QStringLiteral("spki_sha256")).toString() != m_web2.value(QStringLiteral("spki_sha256")).toString());
    }

    void cleanupTestCase()
    {
        m_mock.kill();
        m_mock.waitForFinished();
    }

    void answersLikeAnAgent()
    {
        QCOMPARE(call(m_web1, "GET", QStringLiteral("/v1/ping")).status, 200);
        const Answer run = call(m_web1, "POST", QStringLiteral("/v1/plugins/org.test.load/run"), runBody(QString(64, u'a')));
        QCOMPARE(run.status, 200);
        QCOMPARE(run.json.value(QStringLiteral("value")).toDouble(), 0.5);
        QCOMPARE(run.json.value(QStringLiteral("message")).toString(), QStringLiteral("fine"));
        // Another package than the one it holds: 409; after a push, the new one runs.
        QCOMPARE(call(m_web1, "POST", QStringLiteral("/v1/plugins/org.test.load/run"), runBody(QString(64, u'b'))).status, 409);
        const Answer pushed = call(m_web1, "PUT", QStringLiteral("/v1/plugins/org.test.load"), "package bytes");
        QCOMPARE(pushed.status, 201);
        const QString sha = pushed.json.value(QStringLiteral("sha256")).toString();
        QCOMPARE(call(m_web1, "POST", QStringLiteral("/v1/plugins/org.test.load/run"), runBody(sha)).status, 200);
    }

    void onlyThePinnedCoreIsAnswered()
    {
        const TlsIdentity other = TlsIdentity::generate(QStringLiteral("other"));
        QCOMPARE(call(m_web1, "GET", QStringLiteral("/v1/ping"), {}, 5000, &other).status, 401);
    }

    void aHostFlipsToFailingWhenTheFileChanges()
    {
        writeConfig({{QStringLiteral("web1"), host(QStringLiteral("normal"), {{QStringLiteral("value"), QJsonValue::Null},
                                                                              {QStringLiteral("message"), QStringLiteral("disk on fire")},
                                                                              {QStringLiteral("status"), QStringLiteral("critical")}})},
                     {QStringLiteral("web2"), host(QStringLiteral("normal"))}});
        QTRY_COMPARE_WITH_TIMEOUT(call(m_web2, "POST", QStringLiteral("/v1/plugins/org.test.load/run"), runBody(QString(64, u'a')))
                                      .json.value(QStringLiteral("message")).toString(),
                                  QStringLiteral("ok"), 5000);
        // web1 was pushed a package above; run that one.
        const QJsonObject plugins = call(m_web1, "GET", QStringLiteral("/v1/plugins")).json;
        const QString sha = plugins.value(QStringLiteral("plugins")).toArray().first().toObject().value(QStringLiteral("sha256")).toString();
        QTRY_COMPARE_WITH_TIMEOUT(call(m_web1, "POST", QStringLiteral("/v1/plugins/org.test.load/run"), runBody(sha))
                                      .json.value(QStringLiteral("status")).toString(),
                                  QStringLiteral("critical"), 5000);
    }

    void misbehaviours()
    {
        writeConfig({{QStringLiteral("web1"), host(QStringLiteral("slow"))},
                     {QStringLiteral("web2"), host(QStringLiteral("silent"))},
                     {QStringLiteral("web3"), host(QStringLiteral("drop"))},
                     {QStringLiteral("web4"), host(QStringLiteral("other_key"))}});
        const QJsonObject web3 = waitForHost(QStringLiteral("web3"));
        const QJsonObject web4 = waitForHost(QStringLiteral("web4"));
        QTRY_VERIFY_WITH_TIMEOUT(call(m_web1, "GET", QStringLiteral("/v1/ping")).elapsedMs >= 600, 5000);
        const Answer silent = call(m_web2, "GET", QStringLiteral("/v1/ping"), {}, 800);
        QCOMPARE(silent.status, 0);
        // Ended by the client's own timeout (Qt's coarse timers may fire up to 5 % early).
        QCOMPARE(silent.error, QNetworkReply::OperationCanceledError);
        QVERIFY2(silent.elapsedMs >= 700, qPrintable(QString::number(silent.elapsedMs)));
        const Answer dropped = call(web3, "GET", QStringLiteral("/v1/ping"));
        QCOMPARE(dropped.status, 0);
        QVERIFY(dropped.error != QNetworkReply::NoError);
        // A changed key: the client that pinned the old one refuses to talk.
        QJsonObject pinnedOld = web4;
        pinnedOld.insert(QStringLiteral("spki_sha256"), QString(64, u'f'));
        const Answer wrongKey = call(pinnedOld, "GET", QStringLiteral("/v1/ping"));
        QCOMPARE(wrongKey.status, 0);
        QCOMPARE(wrongKey.pinMismatch, web4.value(QStringLiteral("spki_sha256")).toString());
    }

private:
    QTemporaryDir m_dir;
    QProcess m_mock;
    TlsIdentity m_core;
    QJsonObject m_web1;
    QJsonObject m_web2;
};

QTEST_GUILESS_MAIN(TestMockAgent)
#include "tst_mockagent.moc"
