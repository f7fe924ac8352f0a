#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <memory>

#include "console/client/apiclient.h"
#include "console/connect/connectdialog.h"
#include "console/connect/passwordvault.h"
#include "console/connect/profilestore.h"
#include "console/connect/relogindialog.h"
#include "shared/tls/identity.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"

using namespace prophasis;

namespace {

// The dialog with the key question answered by the test instead of a modal message box.
class AnsweringConnectDialog : public ConnectDialog
{
public:
    using ConnectDialog::ConnectDialog;
    bool trust = true;
    QStringList asked;

protected:
    bool askToTrustKey(const QString &fingerprint) override
    {
        asked.append(fingerprint);
        return trust;
    }
    bool askToReplacePin(const QString &) override { return false; }
};

template <typename T>
T *child(QWidget &parent, const char *name)
{
    T *widget = parent.findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

} // namespace

// The connect and re-login dialogs as widgets against the real management API: the first
// connection shows the server's key in groups of four and pins it, "remember the password" is
// off with a reason where no keychain exists, and after a session ends the re-login dialog
// brings back the call that was waiting.
class TestConnectDialogs : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;
    std::unique_ptr<test::ManagementApiBench> m_bench;

    QUrl coreUrl() const { return test::loopbackCoreUrl(m_bench->api.port()); }
    QString serverKey() const { return spkiSha256(m_bench->api.identity().certificate); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ProphasisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectdialogs"));
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("connectdialogs"));
    }

    void init()
    {
        QSettings().clear();
        m_bench = std::make_unique<test::ManagementApiBench>(*m_database, this);
        QString error;
        QVERIFY2(m_bench->api.start(&error), qPrintable(error));
    }

    void cleanup() { m_bench.reset(); }

    void connectDialogPinsTheShownKey()
    {
        ApiClient client;
        ProfileStore profiles;
        PasswordVault vault;
        AnsweringConnectDialog dialog(client, profiles, vault);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        QString why;
        if (!PasswordVault::keychainAvailable(&why)) {
            QVERIFY(!child<QCheckBox>(dialog, "rememberPassword")->isEnabled());
            // Said on the form, not only in a tooltip.
            const QString note = child<QLabel>(dialog, "keychainNote")->text();
            QVERIFY2(note.contains(why) && note.contains(QStringLiteral("cannot be remembered")),
                     qPrintable(note));
        }

        child<QLineEdit>(dialog, "core")->setText(QStringLiteral("127.0.0.1:%1").arg(m_bench->api.port()));
        child<QLineEdit>(dialog, "user")->setText(QStringLiteral("admin"));
        // For docs/images: PROPHASIS_SCREENSHOT_DIR=… xvfb-run -a tst_connectdialogs -platform xcb
        if (const QString dir = qEnvironmentVariable("PROPHASIS_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(dialog.grab().save(QDir(dir).filePath(QStringLiteral("connect-dialog.png"))));
        // A wrong password first: said in words, the dialog stays open.
        child<QLineEdit>(dialog, "password")->setText(QStringLiteral("wrong"));
        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(child<QPushButton>(dialog, "connect"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(dialog, "status")->text(),
                                  QStringLiteral("The user name or the password is wrong."), 30'000);
        QCOMPARE(finished.size(), 0);
        QCOMPARE(dialog.asked.size(), 1);
        QCOMPARE(dialog.asked[0], groupedFingerprint(serverKey()));
        QVERIFY(profiles.profiles().isEmpty());

        child<QLineEdit>(dialog, "password")->setText(test::AdminPassword);
        QTest::mouseClick(child<QPushButton>(dialog, "connect"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30'000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.asked.size(), 1); // confirmed once, not again after the mistyped password
        QVERIFY(client.isLoggedIn());
        QCOMPARE(dialog.connectedProfile().pinnedKey, serverKey());
        QCOMPARE(dialog.connectedProfile().name, QStringLiteral("admin@127.0.0.1"));
        QCOMPARE(profiles.profile(QStringLiteral("admin@127.0.0.1"))->pinnedKey, serverKey());

        // Opened again: the last profile is chosen, its pin is used, nothing is asked.
        ApiClient second;
        AnsweringConnectDialog again(second, profiles, vault);
        QCOMPARE(child<QLineEdit>(again, "user")->text(), QStringLiteral("admin"));
        QCOMPARE(child<QLineEdit>(again, "core")->text(), coreUrl().toString());
        child<QLineEdit>(again, "password")->setText(test::AdminPassword);
        QSignalSpy againFinished(&again, &QDialog::finished);
        QTest::mouseClick(child<QPushButton>(again, "connect"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(againFinished.size(), 1, 30'000);
        QVERIFY(again.asked.isEmpty());
        QCOMPARE(second.pinnedKey(), serverKey());

        // Prefilled (the command line without a known key) for another core: that core's key is
        // asked about, the last profile's pin is not carried over.
        ApiClient third;
        AnsweringConnectDialog other(third, profiles, vault);
        other.trust = false;
        ConnectionProfile elsewhere;
        elsewhere.name = QStringLiteral("elsewhere");
        elsewhere.coreUrl = QUrl(QStringLiteral("https://localhost:%1").arg(m_bench->api.port()));
        elsewhere.user = QStringLiteral("admin");
        other.prefill(elsewhere, test::AdminPassword);
        QCOMPARE(child<QLineEdit>(other, "name")->text(), QStringLiteral("elsewhere"));
        QCOMPARE(child<QLineEdit>(other, "password")->text(), test::AdminPassword);
        QTest::mouseClick(child<QPushButton>(other, "connect"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(other.asked.size(), 1, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            child<QLabel>(other, "status")->text().contains(QStringLiteral("not confirmed")), 30'000);
        QVERIFY(!third.isLoggedIn());
    }

    void reloginBringsBackTheWaitingCall()
    {
        ApiClient client;
        client.setCore(coreUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("operator"), test::OperatorPassword).ok());

        // The session ends; a call made now (an open form saving) waits for the new login.
        QSignalSpy expired(&client, &ApiClient::sessionExpired);
        client.noticeSessionEnded();
        QCOMPARE(expired.size(), 1);
        int status = -1;
        client.get(QStringLiteral("/api/v1/hosts"), {}, this,
                   [&status](const ApiResult &result) { status = result.status; });

        ReloginDialog dialog(client);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy finished(&dialog, &QDialog::finished);
        child<QLineEdit>(dialog, "password")->setText(QStringLiteral("wrong"));
        QTest::mouseClick(child<QPushButton>(dialog, "login"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(dialog, "status")->text(),
                                  QStringLiteral("The password is wrong."), 30'000);
        QCOMPARE(status, -1); // still waiting
        QCOMPARE(finished.size(), 0);

        child<QLineEdit>(dialog, "password")->setText(test::OperatorPassword);
        QTest::mouseClick(child<QPushButton>(dialog, "login"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30'000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QTRY_COMPARE_WITH_TIMEOUT(status, 200, 30'000);
        QCOMPARE(client.userName(), QStringLiteral("operator"));
    }
};

QTEST_MAIN(TestConnectDialogs)
#include "tst_connectdialogs.moc"
