#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace prophasis {

// Writes a package's entries beneath one new folder with its own system calls rather than
// libarchive's disk writer: every path is walked from the folder with O_NOFOLLOW, so an entry
// can never be written through a symlink, files are created exclusively, and modes are exactly
// 0755 for folders and 0644 or 0755 for files whatever the archive or the umask say.
class PackageWriter
{
public:
    PackageWriter() = default;
    ~PackageWriter();
    PackageWriter(const PackageWriter &) = delete;
    PackageWriter &operator=(const PackageWriter &) = delete;

    // Creates `destination` (its parent folders too); refuses a folder that already exists.
    bool open(const QString &destination, QString *error);

    // `components` are an entry's name split into folders (PackageTree::splitEntryName).
    bool makeDirectory(const QStringList &components, QString *error);
    bool makeSymlink(const QStringList &components, const QString &target, QString *error);
    // Creates an empty file and keeps it open for append().
    bool createFile(const QStringList &components, bool executable, QString *error);
    bool append(const char *data, size_t size, QString *error);
    bool closeFile(QString *error);

    // Removes everything written, and the destination folder itself.
    void discard();

private:
    // Opens (creating as needed) the folder holding the last component; -1 on failure.
    int openParent(const QStringList &components, QString *error);

    QString m_destination;
    int m_root = -1;
    int m_file = -1;
    QString m_fileName;
};

} // namespace prophasis
