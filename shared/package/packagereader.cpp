#include "shared/package/packagereader.h"

#include <QCryptographicHash>

#include <memory>

#include <archive.h>
#include <archive_entry.h>

#include "shared/package/packagetree.h"
#include "shared/package/packagewriter.h"

namespace prophasis {

namespace {

const QString ManifestName = QStringLiteral("manifest.json");

struct ArchiveDeleter
{
    void operator()(archive *reader) const { archive_read_free(reader); }
};

QString formatBytes(qint64 bytes)
{
    constexpr qint64 mebibyte = 1024 * 1024;
    if (bytes >= mebibyte && bytes % mebibyte == 0)
        return QStringLiteral("%1 MiB").arg(bytes / mebibyte);
    if (bytes >= mebibyte)
        return QStringLiteral("%1 MiB").arg(double(bytes) / double(mebibyte), 0, 'f', 1);
    return QStringLiteral("%1 bytes").arg(bytes);
}

// Names as libarchive gives them: UTF-8 when it knows it, else the raw bytes, which must then
// be UTF-8 too (a name that does not survive the round trip could not be matched or shown).
std::optional<QString> utf8Name(const char *utf8, const char *raw)
{
    const char *text = utf8 ? utf8 : raw;
    if (!text)
        return std::nullopt;
    const QByteArray bytes(text);
    QString name = QString::fromUtf8(bytes);
    if (name.toUtf8() != bytes)
        return std::nullopt;
    return name;
}

// One pass over an archive: every check, and the writes when a writer is given.
class PackageScanner
{
public:
    PackageScanner(const QByteArray &archive, const PackageLimits &limits, PackageWriter *writer)
        : m_archive(archive)
        , m_limits(limits)
        , m_writer(writer)
    {
    }

    std::optional<Package> run(QString *error);

private:
    bool fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return false;
    }
    bool open();
    bool readEntry(archive_entry *entry);
    bool readFile(archive_entry *entry, const QString &name, const QStringList &components);
    bool readSymlink(archive_entry *entry, const QString &name, const QStringList &components);
    bool consumeData(const QString &name, bool write, bool capture);
    bool checkStream();
    bool checkManifestPaths(const PluginManifest &manifest);

    const QByteArray &m_archive;
    const PackageLimits &m_limits;
    PackageWriter *m_writer;
    std::unique_ptr<archive, ArchiveDeleter> m_reader;
    PackageTree m_tree;
    QByteArray m_manifest;
    bool m_hasManifest = false;
    qint64 m_dataBytes = 0;
    int m_entries = 0;
    QString m_error;
};

std::optional<Package> PackageScanner::run(QString *error)
{
    const auto failed = [this, error]() -> std::optional<Package> {
        if (error)
            *error = m_error;
        return std::nullopt;
    };
    if (!open())
        return failed();
    for (;;) {
        archive_entry *entry = nullptr;
        const int status = archive_read_next_header(m_reader.get(), &entry);
        if (status == ARCHIVE_EOF)
            break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
            fail(m_entries == 0 ? QStringLiteral("the gzip data is not a tar archive (%1)")
                                      .arg(QString::fromLocal8Bit(archive_error_string(m_reader.get())))
                                : QStringLiteral("the archive is damaged after %1 entries: %2")
                                      .arg(m_entries)
                                      .arg(QString::fromLocal8Bit(archive_error_string(m_reader.get()))));
            return failed();
        }
        if (!checkStream())
            return failed();
        if (++m_entries > m_limits.maxEntries) {
            fail(QStringLiteral("the package has more than %1 entries").arg(m_limits.maxEntries));
            return failed();
        }
        if (!readEntry(entry))
            return failed();
    }

    if (m_tree.isEmpty()) {
        fail(QStringLiteral("the archive is empty"));
        return failed();
    }
    if (!m_hasManifest) {
        fail(QStringLiteral("the package has no %1 in its top-level folder '%2'")
                 .arg(ManifestName, m_tree.topFolder()));
        return failed();
    }
    QString problem;
    std::optional<PluginManifest> manifest = parseManifest(m_manifest, &problem);
    if (!manifest) {
        fail(problem);
        return failed();
    }
    if (!checkManifestPaths(*manifest))
        return failed();
    return Package{
        std::move(*manifest),
        QString::fromLatin1(QCryptographicHash::hash(m_archive, QCryptographicHash::Sha256).toHex()),
        m_tree.topFolder()};
}

bool PackageScanner::open()
{
    if (m_archive.size() > m_limits.maxArchiveBytes)
        return fail(QStringLiteral("the package is %1; at most %2 is allowed")
                        .arg(formatBytes(m_archive.size()), formatBytes(m_limits.maxArchiveBytes)));
    m_reader.reset(archive_read_new());
    if (!m_reader)
        return fail(QStringLiteral("out of memory"));
    // Only gzip and tar: no other decompressor or format is ever exposed to package bytes.
    archive_read_support_filter_gzip(m_reader.get());
    archive_read_support_format_tar(m_reader.get());
    // Without a gzip header libarchive would still read a plain tar: refuse that first.
    const QString notGzip = QStringLiteral("the package is not a gzip-compressed tar archive (.tar.gz)");
    if (!m_archive.startsWith("\x1f\x8b"))
        return fail(notGzip);
    if (archive_read_open_memory(m_reader.get(), m_archive.constData(), size_t(m_archive.size())) !=
        ARCHIVE_OK)
        return fail(QStringLiteral("the gzip data is not a tar archive (%1)")
                        .arg(QString::fromLocal8Bit(archive_error_string(m_reader.get()))));
    if (archive_filter_code(m_reader.get(), 0) != ARCHIVE_FILTER_GZIP)
        return fail(notGzip);
    return true;
}

bool PackageScanner::readEntry(archive_entry *entry)
{
    const std::optional<QString> name =
        utf8Name(archive_entry_pathname_utf8(entry), archive_entry_pathname(entry));
    if (!name)
        return fail(QStringLiteral("entry %1 has a name that is not UTF-8").arg(m_entries));
    QString problem;
    const std::optional<QStringList> components = PackageTree::splitEntryName(*name, &problem);
    if (!components)
        return fail(problem);
    // "./" is the root of an archive made with `tar -C folder .`: nothing to create.
    if (components->isEmpty() && archive_entry_filetype(entry) == AE_IFDIR)
        return consumeData(*name, false, false);
    if (components->isEmpty())
        return fail(QStringLiteral("'%1' has no name inside the package").arg(*name));
    if (const char *target = archive_entry_hardlink(entry))
        return fail(QStringLiteral("'%1' is a hard link to '%2'; packages may not contain hard links")
                        .arg(*name, QString::fromUtf8(target)));

    const QString onlyPlainEntries = QStringLiteral("; packages hold only files, folders and symlinks");
    const bool isManifest = components->size() == 2 && components->at(1) == ManifestName;
    switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
        return readFile(entry, *name, *components);
    case AE_IFDIR:
        if (isManifest)
            return fail(QStringLiteral("'%1' must be a regular file").arg(*name));
        if (!m_tree.add(*components, PackageTree::Kind::Directory, &problem))
            return fail(problem);
        if (m_writer && !m_writer->makeDirectory(*components, &problem))
            return fail(problem);
        return consumeData(*name, false, false);
    case AE_IFLNK:
        if (isManifest)
            return fail(QStringLiteral("'%1' must be a regular file, not a symlink").arg(*name));
        return readSymlink(entry, *name, *components);
    case AE_IFCHR:
        return fail(QStringLiteral("'%1' is a character device").arg(*name) + onlyPlainEntries);
    case AE_IFBLK:
        return fail(QStringLiteral("'%1' is a block device").arg(*name) + onlyPlainEntries);
    case AE_IFIFO:
        return fail(QStringLiteral("'%1' is a FIFO").arg(*name) + onlyPlainEntries);
    case AE_IFSOCK:
        return fail(QStringLiteral("'%1' is a socket").arg(*name) + onlyPlainEntries);
    default:
        return fail(QStringLiteral("'%1' is of an unknown kind").arg(*name) + onlyPlainEntries);
    }
}

bool PackageScanner::readFile(archive_entry *entry, const QString &name, const QStringList &components)
{
    if (archive_entry_sparse_count(entry) > 0)
        return fail(QStringLiteral("'%1' is a sparse file; packages may not contain sparse files").arg(name));
    // Refused on the declared size before a byte of it is decompressed.
    const qint64 size = archive_entry_size(entry);
    if (size > m_limits.maxExtractedBytes - m_dataBytes)
        return fail(QStringLiteral("'%1' is %2, which takes the package over %3 of files")
                        .arg(name, formatBytes(size), formatBytes(m_limits.maxExtractedBytes)));
    const bool isManifest = components.size() == 2 && components[1] == ManifestName;
    if (isManifest && size > MaxManifestBytes)
        return fail(QStringLiteral("'%1' is %2; at most %3 are allowed")
                        .arg(name, formatBytes(size), formatBytes(MaxManifestBytes)));
    QString problem;
    if (!m_tree.add(components, PackageTree::Kind::File, &problem))
        return fail(problem);
    // Only the executable bit is kept; setuid, setgid and sticky bits are dropped.
    const bool executable = (archive_entry_perm(entry) & 0111) != 0;
    if (m_writer && !m_writer->createFile(components, executable, &problem))
        return fail(problem);
    if (!consumeData(name, m_writer != nullptr, isManifest))
        return false;
    if (m_writer && !m_writer->closeFile(&problem))
        return fail(problem);
    m_hasManifest = m_hasManifest || isManifest;
    return true;
}

bool PackageScanner::readSymlink(archive_entry *entry, const QString &name, const QStringList &components)
{
    const std::optional<QString> target =
        utf8Name(archive_entry_symlink_utf8(entry), archive_entry_symlink(entry));
    if (!target)
        return fail(QStringLiteral("'%1' is a symlink whose target is not UTF-8").arg(name));
    QString problem;
    if (!m_tree.add(components, PackageTree::Kind::Symlink, &problem) ||
        !PackageTree::isSafeSymlinkTarget(components, *target, &problem))
        return fail(problem);
    m_tree.setSymlinkTarget(components, *target);
    if (m_writer && !m_writer->makeSymlink(components, *target, &problem))
        return fail(problem);
    return consumeData(name, false, false);
}

// Reads an entry's data block by block, counting every byte as it is decompressed.
bool PackageScanner::consumeData(const QString &name, bool write, bool capture)
{
    qint64 position = 0;
    for (;;) {
        const void *block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        const int status = archive_read_data_block(m_reader.get(), &block, &size, &offset);
        if (status == ARCHIVE_EOF)
            return true;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
            return fail(QStringLiteral("the archive is damaged in '%1': %2")
                            .arg(name, QString::fromLocal8Bit(archive_error_string(m_reader.get()))));
        if (offset != position)
            return fail(
                QStringLiteral("'%1' has holes (a sparse file); packages may not contain sparse files")
                    .arg(name));
        position += qint64(size);
        m_dataBytes += qint64(size);
        if (m_dataBytes > m_limits.maxExtractedBytes)
            return fail(QStringLiteral("the package's files exceed %1 (at '%2')")
                            .arg(formatBytes(m_limits.maxExtractedBytes), name));
        if (capture && m_manifest.size() + qint64(size) > MaxManifestBytes)
            return fail(QStringLiteral("'%1' is larger than %2").arg(name, formatBytes(MaxManifestBytes)));
        QString problem;
        if (write && !m_writer->append(static_cast<const char *>(block), size, &problem))
            return fail(problem);
        if (capture)
            m_manifest.append(static_cast<const char *>(block), qsizetype(size));
        if (!checkStream())
            return false;
    }
}

bool PackageScanner::checkStream()
{
    const qint64 decompressed = archive_filter_bytes(m_reader.get(), 0);
    const qint64 compressed = archive_filter_bytes(m_reader.get(), -1);
    if (decompressed > m_limits.maxExtractedBytes)
        return fail(QStringLiteral("the package expands to more than %1")
                        .arg(formatBytes(m_limits.maxExtractedBytes)));
    if (decompressed > PackageLimits::ExpansionRatioFloorBytes &&
        decompressed > compressed * qint64(m_limits.maxExpansionRatio))
        return fail(
            QStringLiteral("the package expands more than %1 times (%2 from %3 so far); refusing a possible "
                           "compression bomb")
                .arg(m_limits.maxExpansionRatio)
                .arg(formatBytes(decompressed), formatBytes(compressed)));
    return true;
}

bool PackageScanner::checkManifestPaths(const PluginManifest &manifest)
{
    const bool installedProgram =
        manifest.runtime == PluginRuntime::Nagios && manifest.entry.startsWith(u'/');
    if (!installedProgram && !m_tree.isFile(manifest.entry))
        return fail(QStringLiteral("%1: 'entry' names '%2', which is not a file in the package")
                        .arg(ManifestName, manifest.entry));
    if (!m_tree.isFile(manifest.defaultClassifier))
        return fail(QStringLiteral("%1: 'default_classifier' names '%2', which is not a file in the package")
                        .arg(ManifestName, manifest.defaultClassifier));
    return true;
}

} // namespace

std::optional<Package> extractPackage(const QByteArray &archive, const QString &destination,
                                      const PackageLimits &limits, QString *error)
{
    PackageWriter writer;
    if (archive.size() > limits.maxArchiveBytes) {
        // Refused before anything is created.
        return PackageScanner(archive, limits, nullptr).run(error);
    }
    if (!writer.open(destination, error))
        return std::nullopt;
    std::optional<Package> package = PackageScanner(archive, limits, &writer).run(error);
    if (!package)
        writer.discard();
    return package;
}

std::optional<Package> inspectPackage(const QByteArray &archive, const PackageLimits &limits, QString *error)
{
    return PackageScanner(archive, limits, nullptr).run(error);
}

} // namespace prophasis
