#include <QTest>

class TestEntityjson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_APPLESS_MAIN(TestEntityjson)
#include "tst_entityjson.moc"
