#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "daemon-core/auth/permission.h"

using namespace prophasis;

namespace {

// Mutating operations a viewer may call, each for a reason that keeps it harmless.
const QHash<QString, QString> ViewerMayCall = {
    {QStringLiteral("POST /api/v1/session"), QStringLiteral("the login itself")},
    {QStringLiteral("DELETE /api/v1/session"), QStringLiteral("ends the caller's own session")},
    {QStringLiteral("POST /api/v1/enrollments"),
     QStringLiteral("an agent registering itself (its key and join token), no user; an admin accepts it")},
    {QStringLiteral("POST /api/v1/tokens"),
     QStringLiteral("the caller's own API token, at most the caller's role (tests/api/tst_entityapi.cpp)")},
    {QStringLiteral("DELETE /api/v1/tokens/{id}"),
     QStringLiteral("only the caller's own token; another's answers 404 (tests/api/tst_entityapi.cpp)")},
};

} // namespace

// Every mutating route of the management API is refused for a viewer (issue #10). The guard of each
// route asks for its documented x-permission (tests/api/tst_openapi.cpp, permissionsAreTheGuards,
// against the mounted routes, and documentMatchesTheRoutes: the document names every route); this
// adds the other half: each mutating operation names a permission, and the role matrix gives a
// viewer none of them, except the few self-service ones listed above.
class TestViewerMutations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyMutatingRouteIsRefusedForAViewer()
    {
        QFile file(QStringLiteral(PROPHASIS_OPENAPI_JSON));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QJsonObject paths =
            QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("paths")).toObject();
        QVERIFY(!paths.isEmpty());

        QStringList problems;
        QSet<QString> selfServiceSeen;
        int mutating = 0;
        for (auto path = paths.constBegin(); path != paths.constEnd(); ++path) {
            const QJsonObject item = path.value().toObject();
            for (const char *method : {"post", "put", "patch", "delete"}) {
                if (!item.contains(QLatin1String(method)))
                    continue;
                ++mutating;
                const QString name = QString::fromLatin1(method).toUpper() + u' ' + path.key();
                if (ViewerMayCall.contains(name)) {
                    selfServiceSeen.insert(name);
                    continue;
                }
                const QString permissionName = item.value(QLatin1String(method))
                                                   .toObject()
                                                   .value(QStringLiteral("x-permission"))
                                                   .toString();
                const std::optional<Permission> permission = enumFromName<Permission>(permissionName);
                if (!permission)
                    problems.append(name +
                                    QStringLiteral(": names no permission, so nothing refuses a viewer"));
                else if (allowed(Role::Viewer, *permission))
                    problems.append(name + QStringLiteral(": a viewer holds its permission ") +
                                    permissionName);
            }
        }
        qInfo() << mutating << "mutating operations," << selfServiceSeen.size() << "of them self-service";
        QVERIFY(mutating > 30);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        // The list names only operations that exist, so it cannot hide a renamed one.
        for (auto it = ViewerMayCall.constBegin(); it != ViewerMayCall.constEnd(); ++it)
            QVERIFY2(selfServiceSeen.contains(it.key()), qPrintable(it.key() + QStringLiteral(" is gone")));
    }
};

QTEST_GUILESS_MAIN(TestViewerMutations)
#include "tst_viewermutations.moc"
