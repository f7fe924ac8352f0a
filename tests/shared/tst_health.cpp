#include <QTest>

class TestHealth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_APPLESS_MAIN(TestHealth)
#include "tst_health.moc"
