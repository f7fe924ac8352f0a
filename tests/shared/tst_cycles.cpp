#include <QSet>
#include <QTest>

#include "shared/health/cycles.h"

using namespace prophasis;

namespace {

// Graphs are written as "a>b b>c": one letter per node, so rows stay readable.
QUuid node(QChar letter)
{
    return QUuid(letter.unicode(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

QList<QUuid> nodes(const QString &letters)
{
    QList<QUuid> ids;
    for (QChar letter : letters) {
        if (letter != u' ')
            ids.append(node(letter));
    }
    return ids;
}

QHash<QUuid, QList<QUuid>> graph(const QString &edges)
{
    QHash<QUuid, QList<QUuid>> adjacency;
    for (const QString &edge : edges.split(u' ', Qt::SkipEmptyParts))
        adjacency[node(edge.at(0))].append(node(edge.at(2)));
    return adjacency;
}

HostGroup group(QChar letter, const QString &children)
{
    HostGroup result;
    result.id = node(letter);
    result.name = QString(letter);
    result.groupIds = nodes(children);
    return result;
}

ServiceMember serviceMember(QChar letter)
{
    return {MemberKind::Service, node(letter), {}};
}

Service service(QChar letter, const QString &dependencies, const QString &redundant = {})
{
    Service result;
    result.id = node(letter);
    result.name = QString(letter);
    for (QChar dependency : dependencies)
        result.dependencies.append(serviceMember(dependency));
    if (!redundant.isEmpty()) {
        RedundancyGroup members;
        for (QChar member : redundant)
            members.members.append(serviceMember(member));
        result.redundancyGroups.append(members);
    }
    return result;
}

} // namespace

class TestCycles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void findCycleThrough_data()
    {
        QTest::addColumn<QString>("edges");
        QTest::addColumn<QString>("expectedPath");

        QTest::newRow("chain has none") << "a>b b>c c>d"
                                        << "";
        QTest::newRow("self-loop") << "a>a"
                                   << "aa";
        QTest::newRow("two-cycle") << "a>b b>a"
                                   << "aba";
        QTest::newRow("longer cycle, path in order") << "a>x x>y a>b b>c c>d d>a"
                                                     << "abcda";
        QTest::newRow("cycle behind a dead end") << "a>b b>c a>d d>e e>a"
                                                 << "adea";
        QTest::newRow("diamond has none") << "a>b a>c b>d c>d"
                                          << "";
        QTest::newRow("cycle not through start") << "a>b b>c c>b c>d"
                                                 << "";
        QTest::newRow("self-loop not at start") << "a>b b>b"
                                                << "";
    }

    void findCycleThrough()
    {
        QFETCH(QString, edges);
        QFETCH(QString, expectedPath);
        const QHash<QUuid, QList<QUuid>> adjacency = graph(edges);

        QHash<QUuid, int> expansions;
        const QList<QUuid> path = prophasis::findCycleThrough(node(u'a'), [&](const QUuid &id) {
            ++expansions[id];
            return adjacency.value(id);
        });

        QCOMPARE(path, nodes(expectedPath));
        // Each node is followed at most once: the search ends on any graph.
        for (auto it = expansions.cbegin(); it != expansions.cend(); ++it)
            QCOMPARE(it.value(), 1);
    }

    void findGroupCycle_data()
    {
        QTest::addColumn<QString>("stored"); // "ab" = a contains b; space-separated groups
        QTest::addColumn<QChar>("candidate");
        QTest::addColumn<QString>("candidateChildren");
        QTest::addColumn<QString>("expectedPath");

        QTest::newRow("closes a two-cycle") << "ab b" << QChar(u'b') << "a"
                                            << "bab";
        QTest::newRow("closes a longer cycle") << "ab bc c" << QChar(u'c') << "a"
                                               << "cabc";
        QTest::newRow("contains itself") << "a" << QChar(u'a') << "a"
                                         << "aa";
        QTest::newRow("sibling, no cycle") << "ab b c" << QChar(u'b') << "c"
                                           << "";
        QTest::newRow("shared child, no cycle") << "ac bc c" << QChar(u'b') << "ac"
                                                << "";
        QTest::newRow("new group") << "ab b" << QChar(u'n') << "a"
                                   << "";
        // The stored a still contains b; the edit drops that edge, so saving it is fine.
        QTest::newRow("edit removes the cycle edge") << "ab ba" << QChar(u'a') << "c"
                                                     << "";
        QTest::newRow("edit keeps the cycle edge") << "ab ba" << QChar(u'a') << "bc"
                                                   << "aba";
    }

    void findGroupCycle()
    {
        QFETCH(QString, stored);
        QFETCH(QChar, candidate);
        QFETCH(QString, candidateChildren);
        QFETCH(QString, expectedPath);

        QHash<QUuid, HostGroup> groups;
        for (const QString &entry : stored.split(u' ', Qt::SkipEmptyParts)) {
            const HostGroup existing = group(entry.at(0), entry.mid(1));
            groups.insert(existing.id, existing);
        }
        QCOMPARE(prophasis::findGroupCycle(groups, group(candidate, candidateChildren)), nodes(expectedPath));
    }

    void findServiceCycleThroughDependencies()
    {
        const QHash<QUuid, Service> services = {{node(u'b'), service(u'b', "c")},
                                                {node(u'c'), service(u'c', "a")}};
        QCOMPARE(findServiceCycle(services, service(u'a', "b")), nodes("abca"));
        QVERIFY(findServiceCycle(services, service(u'a', "d")).isEmpty());
    }

    void findServiceCycleThroughRedundancyGroups()
    {
        const QHash<QUuid, Service> services = {{node(u'b'), service(u'b', "", "xa")}};
        QCOMPARE(findServiceCycle(services, service(u'a', "", "cb")), nodes("aba"));
        QVERIFY(findServiceCycle(services, service(u'a', "", "cx")).isEmpty());
    }

    void findServiceCycleUsesTheCandidateNotTheStoredVersion()
    {
        const QHash<QUuid, Service> services = {{node(u'a'), service(u'a', "b")},
                                                {node(u'b'), service(u'b', "a")}};
        QVERIFY(findServiceCycle(services, service(u'a', "c")).isEmpty());
    }

    void nestedServiceIdsListsOnlyServiceMembers()
    {
        Service outer = service(u'a', "b", "c");
        const QUuid hostId = node(u'h');
        outer.dependencies.append({MemberKind::Host, hostId, {}});
        outer.dependencies.append({MemberKind::HostGroup, node(u'g'), {}});
        outer.redundancyGroups[0].members.append({MemberKind::HostPlugin, hostId, node(u'p')});
        outer.redundancyGroups.append(RedundancyGroup{QStringLiteral("second"), {serviceMember(u'd')}});

        QCOMPARE(nestedServiceIds(outer), nodes("bcd"));
        QVERIFY(nestedServiceIds(Service{}).isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestCycles)
#include "tst_cycles.moc"
