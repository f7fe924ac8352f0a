#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/stat.h>

#include "daemon-agent/store/agentpluginstore.h"
#include "tests/package/gpgfixture.h"
#include "tests/package/packagefixtures.h"

using namespace prophasis;
using namespace prophasis::testing;

namespace {

const QString PluginId = QStringLiteral("org.example.test");
// Where an absolute entry would land if it were ever written.
const QString EvilPath = QStringLiteral("/tmp/prophasis-tst-agentpluginstore-evil");

// A package of PluginId at `version`; `build` changes the bytes without changing the version.
QByteArray package(const QString &version, const QByteArray &build = "1", const QString &id = PluginId)
{
    QJsonArray entries = goodEntries(id, version);
    entries.append(fileEntry(QStringLiteral("pkg/build-id"), build));
    return pythonTarGz(entries);
}

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

// Every file and symlink below a folder with its contents or target, to prove nothing changed.
QMap<QString, QByteArray> snapshot(const QString &folder)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        QByteArray content;
        if (info.isSymLink()) {
            content = "-> " + QFile::encodeName(info.symLinkTarget());
        } else if (info.isFile()) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly))
                content = file.readAll();
        } else {
            content = "<dir>";
        }
        files.insert(QDir(folder).relativeFilePath(path), content);
    }
    return files;
}

mode_t modeOf(const QString &path)
{
    struct stat status = {};
    if (::lstat(QFile::encodeName(path).constData(), &status) != 0)
        return 0;
    return status.st_mode;
}

QStringList entriesOf(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

} // namespace

class TestAgentPluginStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("prophasis.agent.store.info=false"));
        if (!haveProgram(QStringLiteral("tar")) || !haveProgram(QStringLiteral("python3")))
            QSKIP("tar and python3 are needed to make test packages");
    }

    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void installUpdateAndReinstall()
    {
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        const QByteArray v1 = package(QStringLiteral("1.0"));
        // A daemon's private umask must not make the installed package unreadable to plugins.
        const mode_t previousUmask = ::umask(077);
        InstallOutcome outcome = store.install(PluginId, v1, {}, false);
        ::umask(previousUmask);
        QCOMPARE(outcome.httpStatus, 201);
        QCOMPARE(modeOf(outcome.plugin->directory), mode_t(S_IFDIR | 0755));
        QCOMPARE(modeOf(QFileInfo(outcome.plugin->directory).absolutePath()), mode_t(S_IFDIR | 0755));
        QVERIFY(outcome.plugin);
        QCOMPARE(outcome.plugin->manifest.version, QStringLiteral("1.0"));
        QCOMPARE(outcome.plugin->sha256, sha256(v1));
        QVERIFY(!outcome.plugin->isSigned);
        QVERIFY(outcome.plugin->installed.isValid());
        const QString firstDirectory = outcome.plugin->directory;
        QVERIFY(QDir::isAbsolutePath(firstDirectory));
        QVERIFY(QFileInfo::exists(QDir(firstDirectory).filePath(QStringLiteral("manifest.json"))));
        QVERIFY(QFileInfo(QDir(firstDirectory).filePath(QStringLiteral("bin/run"))).isExecutable());
        QVERIFY(QFileInfo(m_root->filePath(QStringLiteral("current/") + PluginId)).isSymLink());
        QCOMPARE(store.find(PluginId)->sha256, sha256(v1));
        QCOMPARE(store.list().size(), 1);

        // The identical package again: nothing to do.
        outcome = store.install(PluginId, v1, {}, false);
        QCOMPARE(outcome.httpStatus, 200);
        QVERIFY2(outcome.message.contains(QStringLiteral("already installed")), qPrintable(outcome.message));
        QCOMPARE(outcome.plugin->directory, firstDirectory);

        // The same version with other bytes is a re-uploaded fix: an update, not a downgrade.
        const QByteArray v1fix = package(QStringLiteral("1.0"), "2");
        outcome = store.install(PluginId, v1fix, {}, false);
        QCOMPARE(outcome.httpStatus, 200);
        QCOMPARE(outcome.plugin->sha256, sha256(v1fix));
        QVERIFY(outcome.plugin->directory != firstDirectory);
        // The replaced package stays one generation, so a run that already resolved its folder
        // finishes on intact files.
        QVERIFY2(QFileInfo::exists(QDir(firstDirectory).filePath(QStringLiteral("manifest.json"))),
                 "the replaced package vanished under a possible run");
        QCOMPARE(entriesOf(m_root->filePath(QStringLiteral("packages"))).size(), 2);

        outcome = store.install(PluginId, package(QStringLiteral("1.10")), {}, false);
        QCOMPARE(outcome.httpStatus, 200);
        QCOMPARE(store.find(PluginId)->manifest.version, QStringLiteral("1.10"));
        // Two generations back is gone: at most the current and the previous package are kept.
        QVERIFY2(!QFileInfo::exists(firstDirectory), "an old package folder was not deleted");
        QCOMPARE(entriesOf(m_root->filePath(QStringLiteral("packages"))).size(), 2);
        QVERIFY(entriesOf(m_root->filePath(QStringLiteral("staging"))).isEmpty());
    }

    void downgradeNeedsConsent()
    {
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        QCOMPARE(store.install(PluginId, package(QStringLiteral("1.10")), {}, false).httpStatus, 201);
        const InstalledPlugin installed = *store.find(PluginId);
        const QMap<QString, QByteArray> files = snapshot(installed.directory);

        // 1.9 is older than 1.10 (versions, not text).
        InstallOutcome outcome = store.install(PluginId, package(QStringLiteral("1.9")), {}, false);
        QCOMPARE(outcome.httpStatus, 409);
        QVERIFY2(outcome.message.contains(QStringLiteral("allow_downgrade")), qPrintable(outcome.message));
        QCOMPARE(outcome.plugin->manifest.version, QStringLiteral("1.10"));
        QCOMPARE(store.find(PluginId)->sha256, installed.sha256);
        QCOMPARE(snapshot(installed.directory), files);
        QCOMPARE(store.install(PluginId, package(QStringLiteral("1.10-rc.1")), {}, false).httpStatus, 409);

        outcome = store.install(PluginId, package(QStringLiteral("1.9")), {}, true);
        QCOMPARE(outcome.httpStatus, 200);
        QCOMPARE(store.find(PluginId)->manifest.version, QStringLiteral("1.9"));
        QVERIFY(QFileInfo::exists(installed.directory)); // the previous generation, kept for runs
        // A new store (the agent restarted) keeps only what is current.
        AgentPluginStore restarted(m_root->path(), SignatureMode::Off, nullptr, {});
        QVERIFY(!QFileInfo::exists(installed.directory));
        QCOMPARE(restarted.find(PluginId)->manifest.version, QStringLiteral("1.9"));
    }

    void removes()
    {
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        QCOMPARE(store.install(PluginId, package(QStringLiteral("1.0")), {}, false).httpStatus, 201);
        const QString directory = store.find(PluginId)->directory;
        QString error;
        QVERIFY2(store.remove(PluginId, &error), qPrintable(error));
        QVERIFY(!store.find(PluginId));
        QVERIFY(store.list().isEmpty());
        QVERIFY(!QFileInfo::exists(directory));
        QVERIFY(entriesOf(m_root->filePath(QStringLiteral("current"))).isEmpty());
        QVERIFY(entriesOf(m_root->filePath(QStringLiteral("packages"))).isEmpty());
        QVERIFY(!store.remove(PluginId, &error));
        QVERIFY2(error.contains(QStringLiteral("not installed")), qPrintable(error));
        // Installing after a removal is new again.
        QCOMPARE(store.install(PluginId, package(QStringLiteral("0.5")), {}, false).httpStatus, 201);
    }

    void hostilePackagesLeaveTheOldVersionWorking_data()
    {
        QTest::addColumn<QByteArray>("archive");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expected");

        const auto withEntries = [](const QJsonArray &extra) {
            QJsonArray entries = goodEntries(PluginId, QStringLiteral("2.0"));
            for (const QJsonValue &entry : extra)
                entries.append(entry);
            return pythonTarGz(entries);
        };
        QTest::newRow("path traversal")
            << withEntries({fileEntry(QStringLiteral("pkg/../../../evil"), "x")}) << 422 << "contains '..'";
        QTest::newRow("absolute path") << withEntries({fileEntry(EvilPath, "x")}) << 422 << "absolute path";
        QTest::newRow("symlink out") << withEntries(
                                            {entryOfType(QStringLiteral("pkg/etc"), QStringLiteral("symlink"),
                                                         QStringLiteral("/etc"))})
                                     << 422 << "symlink to the absolute path";
        QTest::newRow("write through symlink")
            << withEntries(
                   {entryOfType(QStringLiteral("pkg/up"), QStringLiteral("symlink"), QStringLiteral(".")),
                    fileEntry(QStringLiteral("pkg/up/manifest.json"), "{}")})
            << 422 << "beneath the symlink";
        QTest::newRow("device") << withEntries(
                                       {entryOfType(QStringLiteral("pkg/sda"), QStringLiteral("blk"))})
                                << 422 << "block device";
        QTest::newRow("hard link") << withEntries({entryOfType(QStringLiteral("pkg/shadow"),
                                                               QStringLiteral("hardlink"),
                                                               QStringLiteral("/etc/shadow"))})
                                   << 422 << "hard link";
        QTest::newRow("compression bomb")
            << withEntries({fileEntry(QStringLiteral("pkg/zeros"), QByteArray(8 << 20, 'a'))}) << 422
            << "expands more than";
        QTest::newRow("not gzip") << QByteArray("PK\x03\x04 a zip file") << 422
                                  << "not a gzip-compressed tar";
        QJsonArray noManifest = goodEntries(PluginId, QStringLiteral("2.0"));
        noManifest.removeAt(1);
        QTest::newRow("no manifest") << pythonTarGz(noManifest) << 422 << "no manifest.json";
        QTest::newRow("other plugin id")
            << package(QStringLiteral("2.0"), "1", QStringLiteral("org.example.other")) << 422
            << "holds plugin org.example.other, not org.example.test";
        QTest::newRow("too large") << QByteArray(PackageLimits::DefaultMaxArchiveBytes + 1, '\x1f') << 413
                                   << "at most";
    }
    void hostilePackagesLeaveTheOldVersionWorking()
    {
        QFETCH(QByteArray, archive);
        QFETCH(int, status);
        QFETCH(QString, expected);
        QVERIFY(!archive.isEmpty());
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        QCOMPARE(store.install(PluginId, package(QStringLiteral("1.0")), {}, false).httpStatus, 201);
        const InstalledPlugin before = *store.find(PluginId);
        const QMap<QString, QByteArray> files = snapshot(before.directory);
        QVERIFY(files.contains(QStringLiteral("bin/run")));

        const InstallOutcome outcome = store.install(PluginId, archive, {}, false);
        QCOMPARE(outcome.httpStatus, status);
        QVERIFY2(outcome.message.contains(expected), qPrintable(outcome.message));
        QVERIFY(outcome.plugin);
        QCOMPARE(outcome.plugin->sha256, before.sha256);

        const std::optional<InstalledPlugin> after = store.find(PluginId);
        QVERIFY(after);
        QCOMPARE(after->sha256, before.sha256);
        QCOMPARE(after->directory, before.directory);
        QCOMPARE(snapshot(before.directory), files);
        QCOMPARE(QFileInfo(m_root->filePath(QStringLiteral("current/") + PluginId)).canonicalFilePath(),
                 QFileInfo(before.directory).absolutePath());
        QVERIFY(entriesOf(m_root->filePath(QStringLiteral("staging"))).isEmpty());
        QCOMPARE(entriesOf(m_root->filePath(QStringLiteral("packages"))).size(), 1);
        QVERIFY(!QFileInfo::exists(EvilPath));
    }

    void invalidPluginIdIsRefused()
    {
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        QCOMPARE(
            store.install(QStringLiteral("../etc"), package(QStringLiteral("1.0")), {}, false).httpStatus,
            422);
        QVERIFY(entriesOf(m_root->filePath(QStringLiteral("current"))).isEmpty());
    }

    void signatureModes()
    {
        if (!haveProgram(QStringLiteral("gpg")))
            QSKIP("gpg is not installed (scripts/deps.sh installs gnupg)");
        GpgFixture signer;
        const TestKey trusted = signer.createKey(QStringLiteral("Trusted <trusted@example.org>"));
        const TestKey other = signer.createKey(QStringLiteral("Other <other@example.org>"));
        QVERIFY(!trusted.primaryFingerprint.isEmpty() && !other.primaryFingerprint.isEmpty());
        QTemporaryDir keyring;
        const QString home = keyring.filePath(QStringLiteral("gnupg"));
        SignatureVerifier verifier(home);
        QString error;
        QVERIFY2(verifier.importPublicKey(trusted.publicKey, &error), qPrintable(error));
        QVERIFY2(verifier.importPublicKey(other.publicKey, &error), qPrintable(error));
        const QStringList trustedList{trusted.primaryFingerprint};

        const QByteArray v1 = package(QStringLiteral("1.0"));
        const QByteArray v2 = package(QStringLiteral("2.0"));
        const QByteArray goodV1 = signer.sign(trusted, v1, false);
        const QByteArray goodV2 = signer.sign(trusted, v2, true);
        const QByteArray untrustedV2 = signer.sign(other, v2, false);
        const QByteArray badV2 = goodV1; // a good signature, of other bytes
        QVERIFY(!goodV1.isEmpty() && !goodV2.isEmpty() && !untrustedV2.isEmpty());

        const auto rootFor = [this](const char *name) { return m_root->filePath(QString::fromLatin1(name)); };
        {
            // off: signatures are not looked at, not even bad ones.
            AgentPluginStore store(rootFor("off"), SignatureMode::Off, &verifier, trustedList);
            InstallOutcome outcome = store.install(PluginId, v1, {}, false);
            QCOMPARE(outcome.httpStatus, 201);
            outcome = store.install(PluginId, v2, "garbage", false);
            QCOMPARE(outcome.httpStatus, 200);
            QVERIFY(!outcome.plugin->isSigned);
        }
        {
            AgentPluginStore store(rootFor("verify"), SignatureMode::VerifyIfPresent, &verifier, trustedList);
            InstallOutcome outcome = store.install(PluginId, v1, {}, false);
            QCOMPARE(outcome.httpStatus, 201); // unsigned is fine
            QVERIFY(!outcome.plugin->isSigned);
            outcome = store.install(PluginId, v2, untrustedV2, false);
            QCOMPARE(outcome.httpStatus, 403);
            QVERIFY2(outcome.message.contains(other.primaryFingerprint), qPrintable(outcome.message));
            outcome = store.install(PluginId, v2, badV2, false);
            QCOMPARE(outcome.httpStatus, 403);
            outcome = store.install(PluginId, v2, "not a signature", false);
            QCOMPARE(outcome.httpStatus, 403);
            QCOMPARE(store.find(PluginId)->sha256, sha256(v1)); // still the old version
            outcome = store.install(PluginId, v2, goodV2, false);
            QCOMPARE(outcome.httpStatus, 200);
            QVERIFY(outcome.plugin->isSigned);
            QCOMPARE(outcome.plugin->signer, trusted.primaryFingerprint);
        }
        {
            AgentPluginStore store(rootFor("enforce"), SignatureMode::Enforce, &verifier, trustedList);
            InstallOutcome outcome = store.install(PluginId, v1, {}, false);
            QCOMPARE(outcome.httpStatus, 403);
            QVERIFY2(outcome.message.contains(QStringLiteral("only signed packages")),
                     qPrintable(outcome.message));
            QVERIFY(!store.find(PluginId));
            QCOMPARE(store.install(PluginId, v1, goodV1, false).httpStatus, 201);
            QCOMPARE(store.install(PluginId, v2, untrustedV2, false).httpStatus, 403);
            QCOMPARE(store.install(PluginId, v2, badV2, false).httpStatus, 403);
            QCOMPARE(store.install(PluginId, v2, {}, false).httpStatus, 403);
            QCOMPARE(store.find(PluginId)->sha256, sha256(v1));
            outcome = store.install(PluginId, v2, goodV2, false);
            QCOMPARE(outcome.httpStatus, 200);
            QCOMPARE(outcome.plugin->signer, trusted.primaryFingerprint);

            // The signer is remembered across restarts.
            AgentPluginStore reopened(rootFor("enforce"), SignatureMode::Enforce, &verifier, trustedList);
            QVERIFY(reopened.find(PluginId)->isSigned);
            QCOMPARE(reopened.find(PluginId)->signer, trusted.primaryFingerprint);
        }
        {
            // enforce without a keyring refuses everything rather than accepting anything.
            AgentPluginStore store(rootFor("nokeyring"), SignatureMode::Enforce, nullptr, trustedList);
            QCOMPARE(store.install(PluginId, v1, goodV1, false).httpStatus, 403);
        }
        GpgFixture::stopAgent(home);
    }

    void aNewStoreSeesWhatIsInstalled()
    {
        const QByteArray v1 = package(QStringLiteral("1.0"));
        const QByteArray other = package(QStringLiteral("3.1"), "x", QStringLiteral("org.example.other"));
        QString firstDirectory;
        QDateTime installed;
        {
            AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
            QCOMPARE(store.install(PluginId, v1, {}, false).httpStatus, 201);
            QCOMPARE(store.install(QStringLiteral("org.example.other"), other, {}, false).httpStatus, 201);
            firstDirectory = store.find(PluginId)->directory;
            installed = store.find(PluginId)->installed;
        }
        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        const QList<InstalledPlugin> plugins = store.list();
        QCOMPARE(plugins.size(), 2);
        QCOMPARE(plugins[0].manifest.id, QStringLiteral("org.example.other"));
        QCOMPARE(plugins[0].manifest.version, QStringLiteral("3.1"));
        QCOMPARE(plugins[1].manifest.id, PluginId);
        QCOMPARE(plugins[1].directory, firstDirectory);
        QCOMPARE(plugins[1].installed, installed);
        QCOMPARE(plugins[1].sha256, sha256(v1));
        // …and carries on from there.
        QCOMPARE(store.install(PluginId, package(QStringLiteral("0.9")), {}, false).httpStatus, 409);
    }

    void leftoversAreCleanedOnStart()
    {
        {
            AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
            QCOMPARE(store.install(PluginId, package(QStringLiteral("1.0")), {}, false).httpStatus, 201);
        }
        QDir root(m_root->path());
        // An install cut short while extracting, one cut short before its switch, a temporary
        // link, and a plugin whose package folder vanished.
        QVERIFY(root.mkpath(QStringLiteral("staging/0123abcd/extract/pkg/bin")));
        QFile partial(root.filePath(QStringLiteral("staging/0123abcd/extract/pkg/bin/run")));
        QVERIFY(partial.open(QIODevice::WriteOnly));
        partial.close();
        QVERIFY(root.mkpath(QStringLiteral("packages/org.example.test-0011223344556677/package")));
        QVERIFY(QFile::link(QStringLiteral("../packages/org.example.test-0011223344556677"),
                            root.filePath(QStringLiteral("current/.org.example.test-1234"))));
        QVERIFY(QFile::link(QStringLiteral("../packages/org.example.gone-0011223344556677"),
                            root.filePath(QStringLiteral("current/org.example.gone"))));

        AgentPluginStore store(m_root->path(), SignatureMode::Off, nullptr, {});
        QVERIFY(entriesOf(root.filePath(QStringLiteral("staging"))).isEmpty());
        QCOMPARE(entriesOf(root.filePath(QStringLiteral("current"))), QStringList{PluginId});
        QCOMPARE(entriesOf(root.filePath(QStringLiteral("packages"))).size(), 1);
        QCOMPARE(store.list().size(), 1);
        QCOMPARE(store.find(PluginId)->manifest.version, QStringLiteral("1.0"));
        QVERIFY(QFileInfo::exists(QDir(store.find(PluginId)->directory).filePath(QStringLiteral("bin/run"))));
    }

private:
    std::unique_ptr<QTemporaryDir> m_root;
};

QTEST_GUILESS_MAIN(TestAgentPluginStore)
#include "tst_agentpluginstore.moc"
