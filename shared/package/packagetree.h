#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace prophasis {

// The rules on names inside a package archive, kept apart from libarchive so the reader and the
// writer share them: one top-level folder, no absolute names, no '..', symlinks that stay inside,
// nothing written beneath a file or a symlink, no entry twice.
class PackageTree
{
public:
    enum class Kind
    {
        Directory,
        File,
        Symlink,
    };

    // Splits an archive entry name into components ("pkg/./bin//run" → pkg, bin, run; "./" → none);
    // nullopt with the reason for absolute names, '..' components and empty names.
    static std::optional<QStringList> splitEntryName(const QString &name, QString *problem);

    // Records an entry (components as split above, top folder first). The first entry fixes the
    // top folder; false with *problem when the entry breaks a rule.
    bool add(const QStringList &components, Kind kind, QString *problem);

    // A symlink target is acceptable when it is relative, uses '..' only at its start (so it
    // climbs only through real folders, never back out of a symlinked one) and stays inside the
    // top folder. `components` is the link's own name as split above.
    static bool isSafeSymlinkTarget(const QStringList &components, const QString &target, QString *problem);
    void setSymlinkTarget(const QStringList &components, const QString &target);

    const QString &topFolder() const { return m_top; }
    bool isEmpty() const { return m_top.isEmpty(); }

    // Whether a relative path inside the top folder names a regular file, following the
    // package's own symlinks (a bounded number of them).
    bool isFile(const QString &relativePath) const;
    std::optional<Kind> kindOf(const QString &relativePath) const;

private:
    QString m_top;
    QHash<QString, Kind> m_kinds;      // path inside the top folder ("bin/run") → kind
    QHash<QString, QString> m_targets; // symlink path inside the top folder → its target
};

} // namespace prophasis
