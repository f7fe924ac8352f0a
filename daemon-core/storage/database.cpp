#include "daemon-core/storage/database.h"

#include <QAtomicInteger>
#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QThread>

#include <cmath>

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcDatabase, "prophasis.storage.database")

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("prophasis-%1").arg(counter.fetchAndAddRelaxed(1));
}

// Unique and foreign-key violations become Duplicate and InUse; a lost server, a full disk or
// a lock held too long become Unavailable (worth retrying later); the rest Internal.
StorageError::Kind kindOf(const QSqlError &error, DatabaseKind kind)
{
    const QString code = error.nativeErrorCode();
    if (kind == DatabaseKind::Postgres) {
        // Every error the server reports has a SQLSTATE; none means the connection broke.
        // 08: connection, 57P: server shutting down, 53: disk full, out of memory, too many
        // connections; 57014 a statement past statement_timeout, 55P03 a lock past lock_timeout,
        // 40001 / 40P01 serialization failure and deadlock: all pass, so retry later.
        if (error.type() == QSqlError::ConnectionError || code.isEmpty() ||
            code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("57P")) ||
            code.startsWith(QLatin1String("53")) || code == QLatin1String("57014") ||
            code == QLatin1String("55P03") || code == QLatin1String("40001") ||
            code == QLatin1String("40P01"))
            return StorageError::Kind::Unavailable;
        if (code == QLatin1String("23505"))
            return StorageError::Kind::Duplicate;
        if (code == QLatin1String("23503"))
            return StorageError::Kind::MissingReference;
        return StorageError::Kind::Internal;
    }
    const QString text = error.databaseText();
    if (text.contains(QLatin1String("UNIQUE constraint failed")) ||
        text.contains(QLatin1String("PRIMARY KEY constraint failed")))
        return StorageError::Kind::Duplicate;
    if (text.contains(QLatin1String("FOREIGN KEY constraint failed")))
        return StorageError::Kind::MissingReference;
    // QSQLITE reports every failed step as a ConnectionError, so only the result code tells.
    // Primary result codes: SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10, SQLITE_FULL 13,
    // SQLITE_CANTOPEN 14.
    switch (code.toInt() & 0xff) {
    case 5:
    case 6:
    case 10:
    case 13:
    case 14:
        return StorageError::Kind::Unavailable;
    default:
        return StorageError::Kind::Internal;
    }
}

} // namespace

Database::Database(const DatabaseConfig &config)
    : m_config(config)
    , m_connectionName(nextConnectionName())
{
    open();
}

Database::~Database()
{
    m_failedStatements.clear();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

void Database::open()
{
    if (m_config.kind == DatabaseKind::Sqlite) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(m_config.sqlitePath);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(SqliteBusyTimeoutMs));
    } else {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        m_db.setHostName(m_config.host);
        m_db.setPort(m_config.port);
        m_db.setUserName(m_config.user);
        m_db.setPassword(m_config.password);
        m_db.setDatabaseName(m_config.database);
        // Without a connect timeout and keepalives a database restart freezes the core.
        QStringList options = {
            QStringLiteral("connect_timeout=%1").arg(PostgresConnectTimeoutS),
            QStringLiteral("keepalives=1"),
            QStringLiteral("keepalives_idle=30"),
            QStringLiteral("keepalives_interval=10"),
            QStringLiteral("keepalives_count=3"),
            QStringLiteral("application_name=prophasis-core"),
        };
        for (auto it = m_config.parameters.cbegin(); it != m_config.parameters.cend(); ++it)
            options.append(it.key() + u'=' + it.value());
        m_db.setConnectOptions(options.join(u';'));
    }
    if (!m_db.open()) {
        const QString reason = m_db.lastError().text();
        throw StorageError(
            StorageError::Kind::Unavailable,
            QStringLiteral("cannot open the database %1: %2").arg(m_config.displayName(), reason));
    }
    if (m_config.kind == DatabaseKind::Sqlite) {
        enableWriteAheadLog();
        exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(SqliteBusyTimeoutMs));
        // 16 MiB of page cache per connection instead of 2: a day's results table outgrows the
        // default within hours, and writes slow down as its index pages fall out of the cache.
        exec(QStringLiteral("PRAGMA cache_size=-16384"));
    } else {
        exec(QStringLiteral("SET statement_timeout = %1").arg(PostgresStatementTimeoutMs));
        exec(QStringLiteral("SET lock_timeout = %1").arg(PostgresLockTimeoutMs));
        exec(QStringLiteral("SET client_min_messages = warning"));
        exec(QStringLiteral("SET TIME ZONE 'UTC'"));
    }
    qCDebug(lcDatabase) << "opened" << m_config.displayName() << "on thread" << QThread::currentThread();
}

void Database::enableWriteAheadLog()
{
    // Switching a new file to WAL needs an exclusive lock for which SQLite does not call the
    // busy handler, so several cores opening one new database at once see "database is
    // locked" right away. Retry for as long as a busy lock may last.
    QDeadlineTimer deadline(SqliteBusyTimeoutMs);
    for (;;) {
        try {
            exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            return;
        } catch (const StorageError &error) {
            if (error.kind() != StorageError::Kind::Unavailable || deadline.hasExpired())
                throw;
        }
        QThread::msleep(20);
    }
}

bool Database::connectionAlive()
{
    if (!m_db.isOpen())
        return false;
    QSqlQuery probe(m_db);
    return probe.exec(QStringLiteral("SELECT 1"));
}

void Database::ensureConnected()
{
    m_suspect = false;
    if (connectionAlive())
        return;
    qCWarning(lcDatabase) << "database connection lost; reconnecting to" << m_config.displayName();
    m_transactionDepth = 0;
    m_failedStatements.clear();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName = nextConnectionName();
    open();
}

QSqlQuery Database::exec(const QString &sql, const QVariantList &values)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (values.isEmpty()) {
        if (!query.exec(sql))
            fail(query, sql);
        return query;
    }
    if (!query.prepare(sql))
        fail(query, sql);
    for (const QVariant &value : values) {
        // A null QString binds as SQL NULL; our NOT NULL text columns want ''.
        if (value.metaType() == QMetaType::fromType<QString>() && !value.isNull() &&
            value.toString().isNull())
            query.addBindValue(QStringLiteral(""));
        else
            query.addBindValue(value);
    }
    if (!query.exec())
        fail(query, sql);
    return query;
}

QSqlQuery Database::execInline(const QString &sql, const QVariantList &values)
{
    QString inlined;
    inlined.reserve(sql.size() + values.size() * 16);
    QSqlDriver *driver = m_db.driver();
    qsizetype next = 0;
    for (const QChar c : sql) {
        if (c != u'?') {
            inlined.append(c);
            continue;
        }
        if (next >= values.size())
            throw StorageError(StorageError::Kind::Internal,
                               QStringLiteral("more placeholders than values in: %1").arg(sql.left(200)));
        const QVariant &value = values[next++];
        QSqlField field(QString(), value.metaType());
        if (value.metaType() == QMetaType::fromType<QString>() && !value.isNull()) {
            // PostgreSQL refuses NUL in text; a plugin's output may hold one.
            QString text = value.toString();
            field.setValue(text.isNull() ? QStringLiteral("") : text.remove(QChar(u'\0')));
        } else if (value.metaType() == QMetaType::fromType<double>() && !std::isfinite(value.toDouble())) {
            field.setValue(QVariant(QMetaType::fromType<double>())); // SQL has no NaN literal: NULL
        } else {
            field.setValue(value);
        }
        inlined.append(driver->formatValue(field));
    }
    if (next != values.size())
        throw StorageError(StorageError::Kind::Internal,
                           QStringLiteral("more values than placeholders in: %1").arg(sql.left(200)));
    return exec(inlined);
}

void Database::execScript(const QString &script)
{
    const QStringList statements = script.split(QStringLiteral(";\n"));
    for (const QString &statement : statements) {
        QString trimmed = statement.trimmed();
        if (trimmed.endsWith(u';'))
            trimmed.chop(1);
        // Skip chunks holding only comments.
        bool onlyComments = true;
        for (const QString &line : trimmed.split(u'\n')) {
            const QString stripped = line.trimmed();
            if (!stripped.isEmpty() && !stripped.startsWith(QLatin1String("--")))
                onlyComments = false;
        }
        if (!onlyComments)
            exec(dialectSql(trimmed));
    }
}

void Database::fail(const QSqlQuery &query, const QString &sql)
{
    const QSqlError error = query.lastError();
    const StorageError::Kind kind = kindOf(error, m_config.kind);
    if (m_transactionDepth > 0)
        m_failedStatements.append(query);
    if (kind == StorageError::Kind::Unavailable)
        m_suspect = true;
    if (kind == StorageError::Kind::Internal)
        qCWarning(lcDatabase).noquote() << "SQL failed:" << error.text() << "in:" << sql.left(500);
    const QString message =
        kind == StorageError::Kind::Unavailable
            ? QStringLiteral("the database %1 is unavailable: %2").arg(m_config.displayName(), error.text())
            : error.text();
    throw StorageError(kind, message);
}

void Database::begin()
{
    if (m_transactionDepth++ > 0)
        return;
    try {
        exec(m_config.kind == DatabaseKind::Sqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                   : QStringLiteral("BEGIN"));
    } catch (...) {
        m_transactionDepth = 0;
        throw;
    }
}

void Database::commit()
{
    if (--m_transactionDepth > 0)
        return;
    exec(QStringLiteral("COMMIT"));
}

void Database::rollback()
{
    if (m_transactionDepth == 0)
        return;
    // An inner failure unwinds to the outermost transaction, which rolls everything back.
    if (--m_transactionDepth > 0)
        return;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCWarning(lcDatabase) << "rollback failed:" << query.lastError().text();
    m_failedStatements.clear();
}

QString Database::dialectSql(QString sql) const
{
    const bool sqlite = m_config.kind == DatabaseKind::Sqlite;
    sql.replace(QLatin1String("{uuid}"), sqlite ? QLatin1String("TEXT") : QLatin1String("UUID"));
    sql.replace(QLatin1String("{id_pk}"),
                sqlite ? QLatin1String("INTEGER PRIMARY KEY")
                       : QLatin1String("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
    sql.replace(QLatin1String("{blob}"), sqlite ? QLatin1String("BLOB") : QLatin1String("BYTEA"));
    sql.replace(QLatin1String("{bool}"), sqlite ? QLatin1String("INTEGER") : QLatin1String("BOOLEAN"));
    sql.replace(QLatin1String("{bigint}"), sqlite ? QLatin1String("INTEGER") : QLatin1String("BIGINT"));
    sql.replace(QLatin1String("{double}"),
                sqlite ? QLatin1String("REAL") : QLatin1String("DOUBLE PRECISION"));
    sql.replace(QLatin1String("{text}"), QLatin1String("TEXT"));
    sql.replace(QLatin1String("{least}"), sqlite ? QLatin1String("min") : QLatin1String("LEAST"));
    sql.replace(QLatin1String("{greatest}"), sqlite ? QLatin1String("max") : QLatin1String("GREATEST"));
    return sql;
}

QList<qint64> Database::reserveIds(const QString &table, int count)
{
    Q_ASSERT(inTransaction());
    QList<qint64> ids;
    ids.reserve(count);
    if (count <= 0)
        return ids;
    if (m_config.kind == DatabaseKind::Postgres) {
        QSqlQuery query = exec(
            QStringLiteral("SELECT nextval(pg_get_serial_sequence('%1', 'id')) FROM generate_series(1, ?)")
                .arg(table),
            {count});
        while (query.next())
            ids.append(query.value(0).toLongLong());
    } else {
        // BEGIN IMMEDIATE holds the write lock, so nobody else can take these ids meanwhile.
        QSqlQuery query = exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM %1").arg(table));
        query.next();
        const qint64 last = query.value(0).toLongLong();
        for (int i = 1; i <= count; ++i)
            ids.append(last + i);
    }
    return ids;
}

} // namespace prophasis
