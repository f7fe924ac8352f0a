#include <QTest>

#include "shared/domain/state.h"

using namespace prophasis;

class TestState : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void severityOrderFollowsTheSpec()
    {
        // SPEC §2, most to least severe.
        const QList<State> expected = {State::Critical, State::Major, State::Minor,  State::Degraded,
                                       State::Unknown,  State::Ok,    State::NoData};
        QCOMPARE(statesWorstFirst(), expected);
        for (qsizetype i = 1; i < expected.size(); ++i)
            QVERIFY2(severityRank(expected[i - 1]) > severityRank(expected[i]), qPrintable(enumName(expected[i])));
    }

    void mostAndLeastSevere()
    {
        QCOMPARE(mostSevere(State::Ok, State::Critical), State::Critical);
        QCOMPARE(mostSevere(State::Unknown, State::Ok), State::Unknown);
        QCOMPARE(mostSevere(State::NoData, State::Ok), State::Ok);
        QCOMPARE(leastSevere(State::Minor, State::Critical), State::Minor);
        QCOMPARE(leastSevere(State::Degraded, State::Ok), State::Ok);
        QVERIFY(isMoreSevere(State::Major, State::Minor));
        QVERIFY(!isMoreSevere(State::Minor, State::Minor));
    }

    void wireNamesRoundTrip()
    {
        for (State state : statesWorstFirst())
            QCOMPARE(enumFromName<State>(enumName(state)), state);
        QCOMPARE(enumName(State::NoData), QStringLiteral("no_data"));
        QVERIFY(!enumFromName<State>(u"fine"));
        QVERIFY(!enumFromName<State>(u"CRITICAL"));
    }

    void resultClassifications()
    {
        QVERIFY(isResultClassification(State::Critical));
        QVERIFY(isResultClassification(State::Ok));
        QVERIFY(isResultClassification(State::Unknown));
        QVERIFY(!isResultClassification(State::Degraded));
        QVERIFY(!isResultClassification(State::NoData));
    }
};

QTEST_APPLESS_MAIN(TestState)
#include "tst_state.moc"
