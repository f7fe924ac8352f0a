#include "shared/package/packagewriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace prophasis {

namespace {

constexpr mode_t FolderMode = 0755;
constexpr mode_t ExecutableMode = 0755;
constexpr mode_t PlainFileMode = 0644;

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

void closeQuietly(int fd)
{
    if (fd >= 0)
        ::close(fd);
}

// Opens a folder below `parent`, creating it when absent; never follows a symlink.
int openFolder(int parent, const QByteArray &name)
{
    const bool created = ::mkdirat(parent, name.constData(), FolderMode) == 0;
    if (!created && errno != EEXIST)
        return -1;
    const int fd = ::openat(parent, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    // The umask may have narrowed the mode of a folder just made.
    if (fd >= 0 && created && ::fchmod(fd, FolderMode) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

PackageWriter::~PackageWriter()
{
    closeQuietly(m_file);
    closeQuietly(m_root);
}

bool PackageWriter::open(const QString &destination, QString *error)
{
    const QString absolute = QFileInfo(destination).absoluteFilePath();
    const QString parent = QFileInfo(absolute).absolutePath();
    if (!QDir().mkpath(parent))
        return fail(error, QStringLiteral("cannot create the folder %1").arg(parent));
    const QByteArray path = QFile::encodeName(absolute);
    if (::mkdir(path.constData(), FolderMode) != 0)
        return fail(error, QStringLiteral("cannot create the folder %1: %2").arg(absolute, systemError()));
    m_destination = absolute; // ours from here on, so discard() may remove it
    m_root = ::open(path.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (m_root < 0 || ::fchmod(m_root, FolderMode) != 0) {
        const QString reason = systemError();
        discard();
        return fail(error, QStringLiteral("cannot open the folder %1: %2").arg(m_destination, reason));
    }
    return true;
}

int PackageWriter::openParent(const QStringList &components, QString *error)
{
    int fd = ::dup(m_root);
    for (qsizetype i = 0; fd >= 0 && i + 1 < components.size(); ++i) {
        const int next = openFolder(fd, components[i].toUtf8());
        if (next < 0) {
            const QString reason = systemError();
            ::close(fd);
            fail(error, QStringLiteral("cannot create the folder '%1': %2")
                            .arg(components.mid(0, i + 1).join(u'/'), reason));
            return -1;
        }
        ::close(fd);
        fd = next;
    }
    if (fd < 0)
        fail(error, QStringLiteral("cannot open %1: %2").arg(m_destination, systemError()));
    return fd;
}

bool PackageWriter::makeDirectory(const QStringList &components, QString *error)
{
    const int parent = openParent(components, error);
    if (parent < 0)
        return false;
    const int fd = openFolder(parent, components.last().toUtf8());
    const QString reason = systemError();
    ::close(parent);
    if (fd < 0)
        return fail(error,
                    QStringLiteral("cannot create the folder '%1': %2").arg(components.join(u'/'), reason));
    ::close(fd);
    return true;
}

bool PackageWriter::makeSymlink(const QStringList &components, const QString &target, QString *error)
{
    const int parent = openParent(components, error);
    if (parent < 0)
        return false;
    const bool made =
        ::symlinkat(target.toUtf8().constData(), parent, components.last().toUtf8().constData()) == 0;
    const QString reason = systemError();
    ::close(parent);
    if (!made)
        return fail(error,
                    QStringLiteral("cannot create the symlink '%1': %2").arg(components.join(u'/'), reason));
    return true;
}

bool PackageWriter::createFile(const QStringList &components, bool executable, QString *error)
{
    closeQuietly(m_file);
    m_fileName = components.join(u'/');
    const int parent = openParent(components, error);
    if (parent < 0)
        return false;
    // O_EXCL|O_NOFOLLOW: never replace or write through anything already there.
    m_file = ::openat(parent, components.last().toUtf8().constData(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, PlainFileMode);
    const QString reason = systemError();
    ::close(parent);
    if (m_file < 0)
        return fail(error, QStringLiteral("cannot create the file '%1': %2").arg(m_fileName, reason));
    // Only the executable bit survives from the archive: no setuid, setgid or sticky bits.
    if (::fchmod(m_file, executable ? ExecutableMode : PlainFileMode) != 0)
        return fail(error, QStringLiteral("cannot set the mode of '%1': %2").arg(m_fileName, systemError()));
    return true;
}

bool PackageWriter::append(const char *data, size_t size, QString *error)
{
    while (size > 0) {
        const ssize_t written = ::write(m_file, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return fail(error, QStringLiteral("cannot write '%1': %2").arg(m_fileName, systemError()));
        data += written;
        size -= size_t(written);
    }
    return true;
}

bool PackageWriter::closeFile(QString *error)
{
    const int fd = m_file;
    m_file = -1;
    if (fd >= 0 && ::close(fd) != 0)
        return fail(error, QStringLiteral("cannot write '%1': %2").arg(m_fileName, systemError()));
    return true;
}

void PackageWriter::discard()
{
    closeQuietly(m_file);
    m_file = -1;
    closeQuietly(m_root);
    m_root = -1;
    // removeRecursively() deletes symlinks themselves, never what they point to.
    if (!m_destination.isEmpty())
        QDir(m_destination).removeRecursively();
    m_destination.clear();
}

} // namespace prophasis
