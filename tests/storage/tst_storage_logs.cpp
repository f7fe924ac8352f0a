#include <QTest>

class TestStorageLogs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_GUILESS_MAIN(TestStorageLogs)
#include "tst_storage_logs.moc"
