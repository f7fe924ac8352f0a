#include <QTest>

#include "daemon-core/auth/permission.h"

using namespace prophasis;

// The role matrix of SPEC §5, written out here a second time by hand: admins everything;
// operators read, test alerts and connections, check now; viewers read.
class TestPermission : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matrix_data()
    {
        QTest::addColumn<Permission>("permission");
        QTest::addColumn<bool>("viewer");
        QTest::addColumn<bool>("operatorRole");
        QTest::addColumn<bool>("admin");
        QTest::newRow("read") << Permission::Read << true << true << true;
        QTest::newRow("check_now") << Permission::CheckNow << false << true << true;
        QTest::newRow("test_alert") << Permission::TestAlert << false << true << true;
        QTest::newRow("test_connection") << Permission::TestConnection << false << true << true;
        QTest::newRow("test_classifier") << Permission::TestClassifier << false << false << true;
        QTest::newRow("manage_configuration") << Permission::ManageConfiguration << false << false << true;
        QTest::newRow("manage_enrollments") << Permission::ManageEnrollments << false << false << true;
        QTest::newRow("manage_logs") << Permission::ManageLogs << false << false << true;
        QTest::newRow("manage_users") << Permission::ManageUsers << false << false << true;
        QTest::newRow("manage_tokens") << Permission::ManageTokens << false << false << true;
        QTest::newRow("read_audit") << Permission::ReadAudit << false << false << true;
    }

    void matrix()
    {
        QFETCH(Permission, permission);
        QFETCH(bool, viewer);
        QFETCH(bool, operatorRole);
        QFETCH(bool, admin);
        QCOMPARE(allowed(Role::Viewer, permission), viewer);
        QCOMPARE(allowed(Role::Operator, permission), operatorRole);
        QCOMPARE(allowed(Role::Admin, permission), admin);
    }

    // Every permission has a row above and a wire name: a new one cannot slip past the matrix.
    void everyPermissionIsInTheMatrix()
    {
        QCOMPARE(int(EnumNames<Permission>::table.size()), 11);
        for (const auto &[permission, name] : EnumNames<Permission>::table) {
            QVERIFY2(allowed(Role::Admin, permission), name);
            QCOMPARE(enumFromName<Permission>(QString::fromLatin1(name)), permission);
        }
        QVERIFY(!allowed(Role::Admin, Permission(999)));
    }

    void rolesAreOrdered()
    {
        const Role roles[] = {Role::Viewer, Role::Operator, Role::Admin};
        for (int a = 0; a < 3; ++a) {
            for (int b = 0; b < 3; ++b) {
                QCOMPARE(roleAtLeast(roles[a], roles[b]), a >= b);
                QCOMPARE(lowerRole(roles[a], roles[b]), roles[std::min(a, b)]);
            }
        }
    }

    void tokensAreManagedByTheirOwnerOrAnAdmin()
    {
        ApiToken token;
        token.ownerId = QUuid::createUuid();
        Principal owner;
        owner.userId = token.ownerId;
        owner.role = Role::Viewer;
        Principal otherOperator;
        otherOperator.userId = QUuid::createUuid();
        otherOperator.role = Role::Operator;
        Principal admin;
        admin.userId = QUuid::createUuid();
        admin.role = Role::Admin;
        QVERIFY(mayManageToken(owner, token));
        QVERIFY(!mayManageToken(otherOperator, token));
        QVERIFY(mayManageToken(admin, token));
    }
};

QTEST_APPLESS_MAIN(TestPermission)
#include "tst_permission.moc"
