#include <QTest>

class TestValidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
};

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_validation.moc"
