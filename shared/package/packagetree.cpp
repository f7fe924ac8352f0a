#include "shared/package/packagetree.h"

namespace prophasis {

namespace {

// Enough for any sensible package; a loop of symlinks ends here instead of spinning.
constexpr int MaxSymlinkHops = 16;

const QString DotDot = QStringLiteral("..");

QStringList meaningfulParts(const QString &path)
{
    QStringList parts;
    for (const QString &part : path.split(u'/')) {
        if (!part.isEmpty() && part != QStringLiteral("."))
            parts.append(part);
    }
    return parts;
}

bool fail(QString *problem, const QString &message)
{
    if (problem)
        *problem = message;
    return false;
}

} // namespace

std::optional<QStringList> PackageTree::splitEntryName(const QString &name, QString *problem)
{
    if (name.startsWith(u'/')) {
        fail(problem,
             QStringLiteral("'%1' has an absolute path; package entries must be relative").arg(name));
        return std::nullopt;
    }
    const QStringList parts = meaningfulParts(name);
    if (parts.contains(DotDot)) {
        fail(problem,
             QStringLiteral("'%1' contains '..'; package entries must stay inside the package").arg(name));
        return std::nullopt;
    }
    if (name.isEmpty()) {
        fail(problem, QStringLiteral("an entry has an empty name"));
        return std::nullopt;
    }
    return parts; // empty for "./", the archive's own root
}

bool PackageTree::add(const QStringList &components, Kind kind, QString *problem)
{
    const QString name = components.join(u'/');
    if (m_top.isEmpty())
        m_top = components.first();
    else if (components.first() != m_top)
        return fail(problem,
                    QStringLiteral("'%1' is outside the top-level folder '%2'; a package holds exactly one "
                                   "top-level folder")
                        .arg(name, m_top));
    if (components.size() == 1) {
        if (kind != Kind::Directory)
            return fail(problem,
                        QStringLiteral("'%1' is not inside a folder; a package holds exactly one top-level "
                                       "folder with everything in it")
                            .arg(name));
        return true;
    }

    QString path;
    for (qsizetype i = 1; i + 1 < components.size(); ++i) {
        path = path.isEmpty() ? components[i] : path + u'/' + components[i];
        const auto it = m_kinds.constFind(path);
        if (it == m_kinds.constEnd())
            m_kinds.insert(path, Kind::Directory);
        else if (*it == Kind::Symlink)
            return fail(problem,
                        QStringLiteral(
                            "'%1' lies beneath the symlink '%2/%3'; nothing may be written through a symlink")
                            .arg(name, m_top, path));
        else if (*it == Kind::File)
            return fail(problem, QStringLiteral("'%1' lies beneath the file '%2/%3'").arg(name, m_top, path));
    }

    const QString own = components.mid(1).join(u'/');
    const auto it = m_kinds.constFind(own);
    if (it != m_kinds.constEnd()) {
        if (*it == Kind::Directory && kind == Kind::Directory)
            return true; // a folder may be listed again (tar -r, or after its contents)
        return fail(problem, QStringLiteral("'%1' appears twice in the archive").arg(name));
    }
    m_kinds.insert(own, kind);
    return true;
}

bool PackageTree::isSafeSymlinkTarget(const QStringList &components, const QString &target, QString *problem)
{
    const QString name = components.join(u'/');
    if (target.isEmpty())
        return fail(problem, QStringLiteral("'%1' is a symlink with an empty target").arg(name));
    if (target.startsWith(u'/'))
        return fail(problem,
                    QStringLiteral("'%1' is a symlink to the absolute path '%2'; symlinks must stay inside "
                                   "the package")
                        .arg(name, target));
    qsizetype climbs = 0;
    bool named = false;
    for (const QString &part : meaningfulParts(target)) {
        if (part != DotDot) {
            named = true;
        } else if (named) {
            return fail(problem,
                        QStringLiteral("'%1' is a symlink to '%2', which uses '..' after a folder name; "
                                       "only leading '..' are allowed")
                            .arg(name, target));
        } else {
            ++climbs;
        }
    }
    // Folders between the top folder and the link: how far up the link may climb.
    const qsizetype depth = components.size() - 2;
    if (climbs > depth)
        return fail(
            problem,
            QStringLiteral("'%1' is a symlink to '%2', which leaves the package folder").arg(name, target));
    return true;
}

void PackageTree::setSymlinkTarget(const QStringList &components, const QString &target)
{
    m_targets.insert(components.mid(1).join(u'/'), target);
}

std::optional<PackageTree::Kind> PackageTree::kindOf(const QString &relativePath) const
{
    const auto it = m_kinds.constFind(meaningfulParts(relativePath).join(u'/'));
    if (it == m_kinds.constEnd())
        return std::nullopt;
    return *it;
}

bool PackageTree::isFile(const QString &relativePath) const
{
    QStringList pending = meaningfulParts(relativePath);
    QStringList current;
    int hops = 0;
    while (!pending.isEmpty()) {
        const QString part = pending.takeFirst();
        if (part == DotDot) {
            if (current.isEmpty())
                return false;
            current.removeLast();
            continue;
        }
        current.append(part);
        const QString path = current.join(u'/');
        const auto it = m_kinds.constFind(path);
        if (it == m_kinds.constEnd())
            return false;
        if (*it == Kind::Symlink) {
            const QString target = m_targets.value(path);
            if (++hops > MaxSymlinkHops || target.startsWith(u'/'))
                return false;
            current.removeLast();
            pending = meaningfulParts(target) + pending;
        }
    }
    return !current.isEmpty() && m_kinds.value(current.join(u'/')) == Kind::File;
}

} // namespace prophasis
