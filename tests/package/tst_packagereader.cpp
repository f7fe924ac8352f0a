#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include <sys/stat.h>
#include <unistd.h>

#include "shared/package/packagereader.h"
#include "tests/package/packagefixtures.h"

using namespace prophasis;
using namespace prophasis::testing;

namespace {

// Streams a tar of a valid package plus 16 files of 64 MiB of zeros (1 GiB, each file under
// the per-package limit on its own) to stdout, for gzip to squeeze to about 1 MB.
const char *BombScript = R"PY(
import io, sys, tarfile
manifest = sys.argv[1].encode()
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as archive:
    for name, data in (("pkg/manifest.json", manifest), ("pkg/bin/run", b"#!/bin/sh\n"),
                       ("pkg/classifier.lua", b"return 'ok'\n")):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with open("/dev/zero", "rb") as zeros:
        for i in range(16):
            info = tarfile.TarInfo("pkg/data/zeros%d" % i)
            info.size = 64 << 20
            archive.addfile(info, zeros)
)PY";

mode_t modeOf(const QString &path)
{
    struct stat status = {};
    if (::lstat(QFile::encodeName(path).constData(), &status) != 0)
        return 0;
    return status.st_mode;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}

// A package tree made on disk, to be archived by the real tar.
class Tree
{
public:
    Tree()
    {
        m_ok = writePackageTree(m_dir.path(), QStringLiteral("org.example.test"), QStringLiteral("1.0"));
    }
    bool ok() const { return m_ok; }
    QString path() const { return m_dir.path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    QByteArray archive(const QStringList &options = {},
                       const QStringList &members = {QStringLiteral("pkg")}) const
    {
        return tarGz(m_dir.path(), members, options);
    }
    bool link(const QString &target, const QString &name) const
    {
        return QFile::link(target, filePath(name));
    }
    bool setManifest(const QJsonObject &manifest) const
    {
        return writeFile(filePath(QStringLiteral("pkg/manifest.json")), QJsonDocument(manifest).toJson());
    }

private:
    QTemporaryDir m_dir;
    bool m_ok = false;
};

} // namespace

class TestPackageReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        for (const char *program : {"tar", "gzip", "python3", "mkfifo", "bash"}) {
            if (!haveProgram(QString::fromLatin1(program)))
                QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(QString::fromLatin1(program))));
        }
        QVERIFY(m_fixtures.isValid());
    }

    void goodPackageExtracts()
    {
        Tree tree;
        QVERIFY(tree.ok());
        QVERIFY(writeFile(tree.filePath(QStringLiteral("pkg/lib/helper.sh")), "echo helper\n"));
        QVERIFY(tree.link(QStringLiteral("run"), QStringLiteral("pkg/bin/latest")));
        QVERIFY(tree.link(QStringLiteral("../lib/helper.sh"), QStringLiteral("pkg/bin/helper")));
        const QByteArray archive = tree.archive();
        QVERIFY(!archive.isEmpty());

        QTemporaryDir out;
        const QString destination = out.filePath(QStringLiteral("new/extracted"));
        QString error;
        // A daemon's private umask must not narrow the modes of what is installed.
        const mode_t previousUmask = ::umask(077);
        const std::optional<Package> package = extractPackage(archive, destination, {}, &error);
        ::umask(previousUmask);
        QVERIFY2(package, qPrintable(error));
        QCOMPARE(package->manifest.id, QStringLiteral("org.example.test"));
        QCOMPARE(package->manifest.version, QStringLiteral("1.0"));
        QCOMPARE(package->topFolder, QStringLiteral("pkg"));
        QCOMPARE(package->sha256,
                 QString::fromLatin1(QCryptographicHash::hash(archive, QCryptographicHash::Sha256).toHex()));

        const QDir pkg(QDir(destination).filePath(QStringLiteral("pkg")));
        QCOMPARE(modeOf(pkg.path()), mode_t(S_IFDIR | 0755));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("bin"))), mode_t(S_IFDIR | 0755));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("manifest.json"))), mode_t(S_IFREG | 0644));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("classifier.lua"))), mode_t(S_IFREG | 0644));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("bin/run"))), mode_t(S_IFREG | 0755));
        QCOMPARE(readFile(pkg.filePath(QStringLiteral("manifest.json"))),
                 readFile(tree.filePath(QStringLiteral("pkg/manifest.json"))));
        QCOMPARE(readFile(pkg.filePath(QStringLiteral("bin/run"))),
                 readFile(tree.filePath(QStringLiteral("pkg/bin/run"))));
        QCOMPARE(QFile::symLinkTarget(pkg.filePath(QStringLiteral("bin/latest"))),
                 pkg.filePath(QStringLiteral("bin/run")));
        QCOMPARE(readFile(pkg.filePath(QStringLiteral("bin/helper"))), QByteArray("echo helper\n"));
        struct stat status = {};
        QCOMPARE(::stat(QFile::encodeName(pkg.filePath(QStringLiteral("bin/run"))).constData(), &status), 0);
        QCOMPARE(status.st_uid, ::geteuid());
    }

    void specialModeBitsAreStripped()
    {
        QJsonArray entries{
            QJsonObject{{QStringLiteral("name"), QStringLiteral("pkg")},
                        {QStringLiteral("type"), QStringLiteral("dir")},
                        {QStringLiteral("mode"), 01777}},
            fileEntry(QStringLiteral("pkg/manifest.json"),
                      manifestBytes(QStringLiteral("org.example.test"), QStringLiteral("1.0")), 06666),
            fileEntry(QStringLiteral("pkg/bin/run"), "#!/bin/sh\n", 04755),
            fileEntry(QStringLiteral("pkg/bin/owner-only"), "#!/bin/sh\n", 0700),
            fileEntry(QStringLiteral("pkg/secret"), "x", 0600),
            fileEntry(QStringLiteral("pkg/classifier.lua"), "return 'ok'\n", 02644),
        };
        QTemporaryDir out;
        QString error;
        const std::optional<Package> package =
            extractPackage(pythonTarGz(entries), out.filePath(QStringLiteral("x")), {}, &error);
        QVERIFY2(package, qPrintable(error));
        const QDir pkg(out.filePath(QStringLiteral("x/pkg")));
        QCOMPARE(modeOf(pkg.path()), mode_t(S_IFDIR | 0755));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("manifest.json"))), mode_t(S_IFREG | 0644));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("bin/run"))), mode_t(S_IFREG | 0755));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("bin/owner-only"))), mode_t(S_IFREG | 0755));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("secret"))), mode_t(S_IFREG | 0644));
        QCOMPARE(modeOf(pkg.filePath(QStringLiteral("classifier.lua"))), mode_t(S_IFREG | 0644));
    }

    void acceptedVariants()
    {
        QString error;
        // The entry may be a symlink to a file elsewhere in the package.
        QJsonArray viaSymlink = goodEntries();
        viaSymlink.removeAt(2);
        viaSymlink.append(fileEntry(QStringLiteral("pkg/libexec/real-run"), "#!/bin/sh\n", 0755));
        viaSymlink.append(
            entryOfType(QStringLiteral("pkg/bin"), QStringLiteral("symlink"), QStringLiteral("libexec")));
        viaSymlink.append(entryOfType(QStringLiteral("pkg/libexec/run"), QStringLiteral("symlink"),
                                      QStringLiteral("real-run")));
        QVERIFY2(inspectPackage(pythonTarGz(viaSymlink), {}, &error), qPrintable(error));

        // A nagios plugin may run a program installed on the host instead of one in the package.
        QJsonObject nagios = testManifest(QStringLiteral("org.example.load"), QStringLiteral("2.0"));
        nagios.insert(QStringLiteral("runtime"), QStringLiteral("nagios"));
        nagios.insert(QStringLiteral("entry"), QStringLiteral("/usr/lib/nagios/plugins/check_load"));
        const QJsonArray nagiosEntries{
            fileEntry(QStringLiteral("pkg/manifest.json"), QJsonDocument(nagios).toJson()),
            fileEntry(QStringLiteral("pkg/classifier.lua"), "return 'ok'\n")};
        const std::optional<Package> package = inspectPackage(pythonTarGz(nagiosEntries), {}, &error);
        QVERIFY2(package, qPrintable(error));
        QCOMPARE(package->manifest.entry, QStringLiteral("/usr/lib/nagios/plugins/check_load"));

        // A symlink may climb back to the top folder from below it, and folders may be listed twice.
        QJsonArray climbing = goodEntries();
        climbing.append(
            entryOfType(QStringLiteral("pkg/bin/top"), QStringLiteral("symlink"), QStringLiteral("..")));
        climbing.append(entryOfType(QStringLiteral("pkg/bin"), QStringLiteral("dir")));
        QVERIFY2(inspectPackage(pythonTarGz(climbing), {}, &error), qPrintable(error));

        // `tar -C folder .` names the archive's root "./" and the package "./pkg/…".
        Tree tree;
        QVERIFY(tree.ok());
        const QByteArray dotArchive = tree.archive({}, {QStringLiteral(".")});
        QVERIFY2(inspectPackage(dotArchive, {}, &error), qPrintable(error));
        QTemporaryDir out;
        QVERIFY2(extractPackage(dotArchive, out.filePath(QStringLiteral("x")), {}, &error),
                 qPrintable(error));
        QVERIFY(QFileInfo::exists(out.filePath(QStringLiteral("x/pkg/manifest.json"))));
    }

    void inspectAgreesAndWritesNothing()
    {
        Tree tree;
        QVERIFY(tree.ok());
        const QByteArray archive = tree.archive();
        QTemporaryDir workingDir;
        const QString previous = QDir::currentPath();
        QVERIFY(QDir::setCurrent(workingDir.path()));
        QString error;
        const std::optional<Package> inspected = inspectPackage(archive, {}, &error);
        QVERIFY(QDir::setCurrent(previous));
        QVERIFY2(inspected, qPrintable(error));
        QVERIFY(QDir(workingDir.path())
                    .isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot));

        QTemporaryDir out;
        const std::optional<Package> extracted =
            extractPackage(archive, out.filePath(QStringLiteral("x")), {}, &error);
        QVERIFY2(extracted, qPrintable(error));
        QCOMPARE(inspected->sha256, extracted->sha256);
        QCOMPARE(inspected->topFolder, extracted->topFolder);
        QCOMPARE(inspected->manifest.id, extracted->manifest.id);
        QCOMPARE(inspected->manifest.version, extracted->manifest.version);
    }

    void refusesHostileArchives_data()
    {
        QTest::addColumn<QByteArray>("archive");
        QTest::addColumn<QString>("expected");
        bool ok = false;

        {
            Tree tree;
            const QByteArray good = tree.archive();
            Tree noisy;
            writeFile(noisy.filePath(QStringLiteral("pkg/noise")), randomBytes(1024 * 1024));
            const QByteArray large = noisy.archive();
            QTest::newRow("plain tar") << run(QStringLiteral("gzip"), {QStringLiteral("-dc")}, &ok, {}, good)
                                       << "not a gzip-compressed tar archive";
            QTest::newRow("random bytes") << randomBytes(4096) << "not a gzip-compressed tar archive";
            QTest::newRow("gzip of text")
                << run(QStringLiteral("gzip"), {QStringLiteral("-c")}, &ok, {}, "hello\n")
                << "not a tar archive";
            QTest::newRow("truncated") << large.left(large.size() / 2) << "damaged";
            QTest::newRow("empty archive") << pythonTarGz({}) << "the archive is empty";
        }
        {
            Tree tree;
            writeFile(tree.filePath(QStringLiteral("other/file")), "x");
            QTest::newRow("two top folders")
                << tree.archive({}, {QStringLiteral("pkg"), QStringLiteral("other")})
                << "'other' is outside the top-level folder 'pkg'";
        }
        {
            Tree tree;
            QTest::newRow("files at the top")
                << tarGz(tree.filePath(QStringLiteral("pkg")),
                         {QStringLiteral("manifest.json"), QStringLiteral("bin")})
                << "'manifest.json' is not inside a folder";
            QTest::newRow("absolute path")
                << tree.archive({QStringLiteral("-P")},
                                {QStringLiteral("pkg"), tree.filePath(QStringLiteral("pkg/classifier.lua"))})
                << "has an absolute path";
            QTest::newRow("dot-dot inside")
                << tree.archive({QStringLiteral("-P"), QStringLiteral("--transform"),
                                 QStringLiteral("s,^pkg/classifier.lua,pkg/../../evil.lua,")})
                << "'pkg/../../evil.lua' contains '..'";
            QTest::newRow("dot-dot first")
                << tree.archive({QStringLiteral("-P"), QStringLiteral("--transform"),
                                 QStringLiteral("s,^pkg,../pkg,")})
                << "'../pkg";
        }
        {
            Tree tree;
            tree.link(QStringLiteral("/etc/passwd"), QStringLiteral("pkg/passwd"));
            QTest::newRow("symlink to an absolute path")
                << tree.archive() << "'pkg/passwd' is a symlink to the absolute path '/etc/passwd'";
        }
        {
            Tree tree;
            tree.link(QStringLiteral("../../etc"), QStringLiteral("pkg/up"));
            QTest::newRow("symlink out of the package")
                << tree.archive() << "'pkg/up' is a symlink to '../../etc', which leaves the package folder";
        }
        {
            Tree tree;
            tree.link(QStringLiteral("../.."), QStringLiteral("pkg/bin/up"));
            QTest::newRow("symlink out from a subfolder")
                << tree.archive() << "which leaves the package folder";
        }
        {
            Tree tree;
            tree.link(QStringLiteral("bin/../../x"), QStringLiteral("pkg/sneaky"));
            QTest::newRow("symlink climbing after a name")
                << tree.archive() << "uses '..' after a folder name";
        }
        {
            Tree tree;
            QVERIFY(::link(QFile::encodeName(tree.filePath(QStringLiteral("pkg/bin/run"))).constData(),
                           QFile::encodeName(tree.filePath(QStringLiteral("pkg/bin/run2"))).constData()) ==
                    0);
            QTest::newRow("hard link inside") << tree.archive() << "is a hard link";
        }
        {
            Tree tree;
            run(QStringLiteral("mkfifo"), {tree.filePath(QStringLiteral("pkg/fifo"))}, &ok);
            QTest::newRow("fifo") << tree.archive() << "'pkg/fifo' is a FIFO";
        }
        {
            Tree tree;
            // GNU tar stores a file with a large hole as a sparse entry.
            run(QStringLiteral("truncate"),
                {QStringLiteral("-s"), QStringLiteral("8M"), tree.filePath(QStringLiteral("pkg/holes"))},
                &ok);
            QTest::newRow("sparse file") << tree.archive({QStringLiteral("--sparse")}) << "sparse";
        }

        const auto withEntries = [](const QJsonArray &extra) {
            QJsonArray entries = goodEntries();
            for (const QJsonValue &entry : extra)
                entries.append(entry);
            return pythonTarGz(entries);
        };
        QTest::newRow("hard link to outside")
            << withEntries({entryOfType(QStringLiteral("pkg/passwd"), QStringLiteral("hardlink"),
                                        QStringLiteral("/etc/passwd"))})
            << "'pkg/passwd' is a hard link to '/etc/passwd'";
        QTest::newRow("character device")
            << withEntries({entryOfType(QStringLiteral("pkg/null"), QStringLiteral("chr"))})
            << "'pkg/null' is a character device";
        QTest::newRow("block device")
            << withEntries({entryOfType(QStringLiteral("pkg/disk"), QStringLiteral("blk"))})
            << "'pkg/disk' is a block device";
        QTest::newRow("write through a symlink")
            << withEntries(
                   {entryOfType(QStringLiteral("pkg/link"), QStringLiteral("symlink"), QStringLiteral("bin")),
                    fileEntry(QStringLiteral("pkg/link/evil"), "x")})
            << "'pkg/link/evil' lies beneath the symlink 'pkg/link'";
        QTest::newRow("duplicate file")
            << withEntries({fileEntry(QStringLiteral("pkg/bin/run"), "#!/bin/sh\nrm -rf /\n", 0755)})
            << "'pkg/bin/run' appears twice";
        QTest::newRow("folder beneath a file")
            << withEntries({fileEntry(QStringLiteral("pkg/classifier.lua/x"), "x")})
            << "lies beneath the file 'pkg/classifier.lua'";

        const auto withManifest = [](const QByteArray &manifest) {
            QJsonArray entries = goodEntries();
            entries.replace(1, fileEntry(QStringLiteral("pkg/manifest.json"), manifest));
            return pythonTarGz(entries);
        };
        QJsonObject manifest = testManifest(QStringLiteral("org.example.test"), QStringLiteral("1.0"));
        QTest::newRow("manifest too large")
            << withManifest(QJsonDocument(manifest).toJson() + QByteArray(70 * 1024, ' '))
            << "'pkg/manifest.json' is";
        QTest::newRow("manifest not JSON") << withManifest("{\"id\": ") << "manifest.json is not valid JSON";
        QJsonObject missingEntry = manifest;
        missingEntry.remove(QStringLiteral("entry"));
        QTest::newRow("manifest without entry")
            << withManifest(QJsonDocument(missingEntry).toJson()) << "'entry' is required";
        QJsonObject serverRuntime = manifest;
        serverRuntime.insert(QStringLiteral("runtime"), QStringLiteral("server"));
        QTest::newRow("server runtime")
            << withManifest(QJsonDocument(serverRuntime).toJson()) << "'runtime' server is reserved";
        QJsonObject absentEntry = manifest;
        absentEntry.insert(QStringLiteral("entry"), QStringLiteral("bin/missing"));
        QTest::newRow("entry not in the package")
            << withManifest(QJsonDocument(absentEntry).toJson())
            << "'entry' names 'bin/missing', which is not a file in the package";
        QJsonObject folderEntry = manifest;
        folderEntry.insert(QStringLiteral("entry"), QStringLiteral("bin"));
        QTest::newRow("entry is a folder")
            << withManifest(QJsonDocument(folderEntry).toJson()) << "'entry' names 'bin'";
        QJsonObject absentClassifier = manifest;
        absentClassifier.insert(QStringLiteral("default_classifier"), QStringLiteral("missing.lua"));
        QTest::newRow("classifier not in the package")
            << withManifest(QJsonDocument(absentClassifier).toJson())
            << "'default_classifier' names 'missing.lua'";

        QJsonArray noManifest = goodEntries();
        noManifest.removeAt(1);
        QTest::newRow("no manifest") << pythonTarGz(noManifest)
                                     << "no manifest.json in its top-level folder 'pkg'";
        QJsonArray deepManifest = noManifest;
        deepManifest.append(
            fileEntry(QStringLiteral("pkg/sub/manifest.json"), QJsonDocument(manifest).toJson()));
        QTest::newRow("manifest below the top") << pythonTarGz(deepManifest) << "no manifest.json";
        QJsonArray linkedManifest = noManifest;
        linkedManifest.append(fileEntry(QStringLiteral("pkg/real.json"), QJsonDocument(manifest).toJson()));
        linkedManifest.append(entryOfType(QStringLiteral("pkg/manifest.json"), QStringLiteral("symlink"),
                                          QStringLiteral("real.json")));
        QTest::newRow("manifest is a symlink") << pythonTarGz(linkedManifest) << "must be a regular file";
        QVERIFY(ok);
    }
    void refusesHostileArchives()
    {
        QFETCH(QByteArray, archive);
        QFETCH(QString, expected);
        QVERIFY(!archive.isEmpty());
        QString inspectError;
        QVERIFY(!inspectPackage(archive, {}, &inspectError));
        QVERIFY2(inspectError.contains(expected), qPrintable(inspectError));

        QTemporaryDir out;
        const QString destination = out.filePath(QStringLiteral("x"));
        QString extractError;
        QVERIFY(!extractPackage(archive, destination, {}, &extractError));
        QCOMPARE(extractError, inspectError);
        QVERIFY2(!QFileInfo::exists(destination), "a refused package left files behind");
        // Nothing was written outside the destination either.
        QVERIFY(!QFileInfo::exists(out.filePath(QStringLiteral("evil.lua"))));
    }

    void limitsAreEnforced()
    {
        QString error;
        const QByteArray good = pythonTarGz(goodEntries()); // 4 entries
        PackageLimits limits;
        limits.maxArchiveBytes = good.size();
        QVERIFY2(inspectPackage(good, limits, &error), qPrintable(error));
        limits.maxArchiveBytes = good.size() - 1;
        QVERIFY(!inspectPackage(good, limits, &error));
        QVERIFY2(error.startsWith(QStringLiteral("the package is")), qPrintable(error));

        limits = {};
        limits.maxEntries = 4;
        QVERIFY2(inspectPackage(good, limits, &error), qPrintable(error));
        limits.maxEntries = 3;
        QVERIFY(!inspectPackage(good, limits, &error));
        QVERIFY2(error.contains(QStringLiteral("more than 3 entries")), qPrintable(error));
        QJsonArray many = goodEntries();
        for (int i = 0; i < PackageLimits::DefaultMaxEntries; ++i)
            many.append(fileEntry(QStringLiteral("pkg/many/%1").arg(i), {}));
        QVERIFY(!inspectPackage(pythonTarGz(many), {}, &error));
        QVERIFY2(error.contains(QStringLiteral("more than 2000 entries")), qPrintable(error));

        // Bytes: random data does not compress, so only the byte limit can stop it.
        QJsonArray large = goodEntries();
        large.append(fileEntry(QStringLiteral("pkg/data/a"), randomBytes(192 * 1024)));
        large.append(fileEntry(QStringLiteral("pkg/data/b"), randomBytes(192 * 1024)));
        const QByteArray largeArchive = pythonTarGz(large);
        limits = {};
        limits.maxExtractedBytes = 256 * 1024;
        QTemporaryDir out;
        QVERIFY(!extractPackage(largeArchive, out.filePath(QStringLiteral("x")), limits, &error));
        QVERIFY2(error.contains(QStringLiteral("'pkg/data/b'")) &&
                     error.contains(QStringLiteral("takes the package over")),
                 qPrintable(error));
        QVERIFY(!QFileInfo::exists(out.filePath(QStringLiteral("x"))));
        limits.maxExtractedBytes = 1024 * 1024;
        QVERIFY2(extractPackage(largeArchive, out.filePath(QStringLiteral("y")), limits, &error),
                 qPrintable(error));

        // Expansion: 4 MiB of zeros compresses about a thousandfold.
        QJsonArray zeros = goodEntries();
        zeros.append(fileEntry(QStringLiteral("pkg/data/zeros"), QByteArray(4 * 1024 * 1024, '\0')));
        const QByteArray zeroArchive = pythonTarGz(zeros);
        QVERIFY(!inspectPackage(zeroArchive, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("expands more than 200 times")), qPrintable(error));
        limits = {};
        limits.maxExpansionRatio = 5000;
        QVERIFY2(inspectPackage(zeroArchive, limits, &error), qPrintable(error));
    }

    void gzipBombIsStoppedEarly()
    {
        const QString bomb = m_fixtures.filePath(QStringLiteral("bomb.tar.gz"));
        const QString script = m_fixtures.filePath(QStringLiteral("bomb.py"));
        QVERIFY(writeFile(script, BombScript));
        bool ok = false;
        const QString manifest =
            QString::fromUtf8(manifestBytes(QStringLiteral("org.example.bomb"), QStringLiteral("1.0")));
        run(QStringLiteral("bash"),
            {QStringLiteral("-c"), QStringLiteral("python3 \"$0\" \"$1\" | gzip > \"$2\""), script, manifest,
             bomb},
            &ok);
        QVERIFY(ok);
        const QByteArray archive = readFile(bomb);
        QVERIFY2(archive.size() < 2 * 1024 * 1024, "the bomb should be about 1 MB");

        QTemporaryDir out;
        const QString destination = out.filePath(QStringLiteral("x"));
        QString error;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!extractPackage(archive, destination, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("expands more than 200 times")), qPrintable(error));
        // Stopped after about a megabyte, not after a gigabyte.
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(!QFileInfo::exists(destination));
        QVERIFY(!inspectPackage(archive, {}, &error));

        // Without the ratio, the byte count still stops it at the limit and cleans up.
        PackageLimits noRatio;
        noRatio.maxExpansionRatio = std::numeric_limits<int>::max();
        QVERIFY(!extractPackage(archive, destination, noRatio, &error));
        QVERIFY2(error.contains(QStringLiteral("128 MiB")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(destination));
    }

    void destinationMustBeNew()
    {
        QTemporaryDir out;
        QVERIFY(writeFile(out.filePath(QStringLiteral("x/keep")), "mine"));
        QString error;
        QVERIFY(!extractPackage(pythonTarGz(goodEntries()), out.filePath(QStringLiteral("x")), {}, &error));
        QVERIFY2(error.contains(QStringLiteral("cannot create the folder")), qPrintable(error));
        QCOMPARE(readFile(out.filePath(QStringLiteral("x/keep"))), QByteArray("mine"));
    }

private:
    QTemporaryDir m_fixtures;
};

QTEST_GUILESS_MAIN(TestPackageReader)
#include "tst_packagereader.moc"
