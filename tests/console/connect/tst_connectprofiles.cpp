#include <QCommandLineParser>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "console/connect/connectoptions.h"
#include "console/connect/passwordvault.h"
#include "console/connect/profilestore.h"

using namespace prophasis;

namespace {

const QString SomeKey = QStringLiteral("3f2a9c01") + QString(56, u'b');

ConnectionProfile officeProfile()
{
    ConnectionProfile profile;
    profile.name = QStringLiteral("Office");
    profile.coreUrl = QUrl(QStringLiteral("https://core.example:4049"));
    profile.user = QStringLiteral("admin");
    profile.pinnedKey = SomeKey;
    profile.rememberPassword = true;
    return profile;
}

} // namespace

// Connection profiles in QSettings (test mode: a private settings directory), the command-line
// connect options with the password file's permission check, and the keychain, which has no
// backend here (no D-Bus Secret Service) and must say so instead of storing anything.
class TestConnectProfiles : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &content, QFile::Permissions permissions)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        file.write(content);
        file.close();
        QFile::setPermissions(path, permissions);
        return path;
    }

    std::optional<ConnectRequest> parse(const QStringList &arguments, QString *error)
    {
        QCommandLineParser parser;
        addConnectOptions(parser);
        if (!parser.parse(QStringList{QStringLiteral("prophasis-console")} + arguments)) {
            *error = parser.errorText();
            return std::nullopt;
        }
        return connectRequestFrom(parser, error);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ProphasisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectprofiles"));
        QVERIFY(m_dir.isValid());
    }

    void init() { QSettings().clear(); }

    void profilesRoundTrip()
    {
        ProfileStore store;
        QVERIFY(store.profiles().isEmpty());
        QVERIFY(store.lastUsed().isEmpty());
        store.save(officeProfile());
        ConnectionProfile lab;
        lab.name = QStringLiteral("Lab");
        lab.coreUrl = QUrl(QStringLiteral("https://[::1]:14049"));
        lab.user = QStringLiteral("viewer");
        store.save(lab);
        store.setLastUsed(QStringLiteral("Lab"));

        // A second store reads what the first wrote (through QSettings, not memory).
        const ProfileStore reader;
        const QList<ConnectionProfile> profiles = reader.profiles();
        QCOMPARE(profiles.size(), 2);
        QCOMPARE(profiles[0].name, QStringLiteral("Office"));
        QCOMPARE(profiles[0].coreUrl, QUrl(QStringLiteral("https://core.example:4049")));
        QCOMPARE(profiles[0].user, QStringLiteral("admin"));
        QCOMPARE(profiles[0].pinnedKey, SomeKey);
        QCOMPARE(profiles[0].rememberPassword, true);
        QCOMPARE(profiles[1].pinnedKey, QString()); // a CA-issued certificate
        QCOMPARE(profiles[1].rememberPassword, false);
        QCOMPARE(reader.lastUsed(), QStringLiteral("Lab"));
        QVERIFY(
            reader.profileFor(QUrl(QStringLiteral("https://core.example:4049")), QStringLiteral("admin")));
        QVERIFY(
            !reader.profileFor(QUrl(QStringLiteral("https://core.example:4049")), QStringLiteral("viewer")));

        // Saving under the same name replaces; removing the last used one forgets it as last used.
        ConnectionProfile changed = officeProfile();
        changed.user = QStringLiteral("operator");
        store.save(changed);
        QCOMPARE(store.profiles().size(), 2);
        QCOMPARE(store.profile(QStringLiteral("Office"))->user, QStringLiteral("operator"));
        store.remove(QStringLiteral("Lab"));
        QCOMPARE(store.profiles().size(), 1);
        QVERIFY(!store.profile(QStringLiteral("Lab")));
        QVERIFY(store.lastUsed().isEmpty());
        // No password anywhere in the settings.
        for (const QString &key : QSettings().allKeys())
            QVERIFY2(!key.contains(QStringLiteral("password"), Qt::CaseInsensitive) ||
                         key.endsWith(QStringLiteral("rememberPassword")),
                     qPrintable(key));
    }

    void addressesAndFingerprints()
    {
        QCOMPARE(normalizedCoreUrl(QStringLiteral("core.example")),
                 QUrl(QStringLiteral("https://core.example:4049")));
        QCOMPARE(normalizedCoreUrl(QStringLiteral(" 192.0.2.10:5000 ")),
                 QUrl(QStringLiteral("https://192.0.2.10:5000")));
        QCOMPARE(normalizedCoreUrl(QStringLiteral("https://core.example/api/v1/x")),
                 QUrl(QStringLiteral("https://core.example:4049")));
        QVERIFY(!normalizedCoreUrl(QStringLiteral("http://core.example")).isValid());
        QVERIFY(!normalizedCoreUrl(QString()).isValid());
        QCOMPARE(groupedFingerprint(QStringLiteral("3F2A9C01DEAD")), QStringLiteral("3f2a 9c01 dead"));
        QCOMPARE(groupedFingerprint(SomeKey).split(u' ').size(), 16);
    }

    void commandLineWithKey()
    {
        const QString file =
            writeFile(QStringLiteral("pw"), "s3cret phrase\nignored\n", QFile::ReadOwner | QFile::WriteOwner);
        QString error;
        const std::optional<ConnectRequest> request =
            parse({QStringLiteral("--core"), QStringLiteral("https://127.0.0.1:14049"),
                   QStringLiteral("--user"), QStringLiteral("admin"), QStringLiteral("--password-file"), file,
                   QStringLiteral("--core-key"), SomeKey.toUpper()},
                  &error);
        QVERIFY2(request, qPrintable(error));
        QCOMPARE(request->coreUrl, QUrl(QStringLiteral("https://127.0.0.1:14049")));
        QCOMPARE(request->user, QStringLiteral("admin"));
        QCOMPARE(request->password, QStringLiteral("s3cret phrase"));
        QCOMPARE(request->pinnedKey, SomeKey);
        // The key given: connect without a dialog, a new profile named after user and host.
        const std::optional<ConnectionProfile> profile = commandLineProfile(*request, ProfileStore());
        QVERIFY(profile);
        QCOMPARE(profile->pinnedKey, SomeKey);
        QCOMPARE(profile->name, QStringLiteral("admin@127.0.0.1"));
    }

    void commandLineUsesThePinnedProfile()
    {
        const QString file = writeFile(QStringLiteral("pw2"), "pw", QFile::ReadOwner | QFile::WriteOwner);
        QString error;
        const std::optional<ConnectRequest> request =
            parse({QStringLiteral("--core"), QStringLiteral("core.example"), QStringLiteral("--user"),
                   QStringLiteral("admin"), QStringLiteral("--password-file"), file},
                  &error);
        QVERIFY2(request, qPrintable(error));
        QVERIFY(request->pinnedKey.isEmpty());
        // Nothing pinned for this core yet: the dialog must show the key first.
        QVERIFY(!commandLineProfile(*request, ProfileStore()));
        ProfileStore().save(officeProfile());
        const std::optional<ConnectionProfile> profile = commandLineProfile(*request, ProfileStore());
        QVERIFY(profile);
        QCOMPARE(profile->name, QStringLiteral("Office"));
        QCOMPARE(profile->pinnedKey, SomeKey);
        // A saved profile without a pin (a CA-issued certificate) connects as it is, too.
        ConnectionProfile ca = officeProfile();
        ca.pinnedKey.clear();
        ProfileStore().save(ca);
        const std::optional<ConnectionProfile> caProfile = commandLineProfile(*request, ProfileStore());
        QVERIFY(caProfile);
        QVERIFY(caProfile->pinnedKey.isEmpty());
    }

    void commandLineRefusals()
    {
        QString error;
        // No --core: no request and no error (the dialog opens).
        QVERIFY(!parse({}, &error));
        QVERIFY(error.isEmpty());

        QVERIFY(!parse({QStringLiteral("--core"), QStringLiteral("core.example"), QStringLiteral("--user"),
                        QStringLiteral("admin"), QStringLiteral("--password-file"),
                        m_dir.filePath(QStringLiteral("none"))},
                       &error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));

        const QString loose =
            writeFile(QStringLiteral("loose"), "pw\n",
                      QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        QVERIFY(!parse({QStringLiteral("--core"), QStringLiteral("core.example"), QStringLiteral("--user"),
                        QStringLiteral("admin"), QStringLiteral("--password-file"), loose},
                       &error));
        QVERIFY2(error.contains(QStringLiteral("other users")) && error.contains(QStringLiteral("chmod 600")),
                 qPrintable(error));

        const QString empty = writeFile(QStringLiteral("empty"), "\n", QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(!parse({QStringLiteral("--core"), QStringLiteral("core.example"), QStringLiteral("--user"),
                        QStringLiteral("admin"), QStringLiteral("--password-file"), empty},
                       &error));
        QVERIFY2(error.contains(QStringLiteral("empty")), qPrintable(error));

        QVERIFY(!parse({QStringLiteral("--core"), QStringLiteral("core.example"),
                        QStringLiteral("--password-file"), empty},
                       &error));
        QVERIFY2(error.contains(QStringLiteral("--user")), qPrintable(error));

        const QString good = writeFile(QStringLiteral("good"), "pw\n", QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(!parse({QStringLiteral("--core"), QStringLiteral("core.example"), QStringLiteral("--user"),
                        QStringLiteral("admin"), QStringLiteral("--password-file"), good,
                        QStringLiteral("--core-key"), QStringLiteral("abc")},
                       &error));
        QVERIFY2(error.contains(QStringLiteral("64 hex")), qPrintable(error));

        QVERIFY(!parse({QStringLiteral("--user"), QStringLiteral("admin")}, &error));
        QVERIFY2(error.contains(QStringLiteral("--core")), qPrintable(error));
    }

    void vaultSaysThereIsNoKeychain()
    {
        // This machine has no D-Bus session and no Secret Service: the vault must say so.
        if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("a D-Bus session is available here; the no-keychain answer cannot be provoked");
        PasswordVault vault;
        QList<VaultResult> results;
        vault.writePassword(officeProfile().keychainKey(), QStringLiteral("secret"), this,
                            [&results](const VaultResult &result) { results.append(result); });
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 30'000);
        QCOMPARE(results[0].status, VaultResult::Status::NoKeychain);
        QVERIFY2(results[0].errorText.contains(QStringLiteral("No system keychain")),
                 qPrintable(results[0].errorText));
        vault.readPassword(officeProfile().keychainKey(), this,
                           [&results](const VaultResult &result) { results.append(result); });
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 30'000);
        QCOMPARE(results[1].status, VaultResult::Status::NoKeychain);
        QVERIFY(results[1].password.isEmpty());
        // Nothing landed in the settings or next to them as a fallback.
        for (const QString &key : QSettings().allKeys())
            QVERIFY2(!key.contains(QStringLiteral("secret")), qPrintable(key));
    }
};

QTEST_GUILESS_MAIN(TestConnectProfiles)
#include "tst_connectprofiles.moc"
