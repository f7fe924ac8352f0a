#include <QTest>

class TestCycles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_APPLESS_MAIN(TestCycles)
#include "tst_cycles.moc"
