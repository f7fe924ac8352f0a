#include <QTest>

class TestStorageUsers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_GUILESS_MAIN(TestStorageUsers)
#include "tst_storage_users.moc"
