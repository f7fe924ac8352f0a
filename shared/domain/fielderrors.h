#pragma once

#include <QList>
#include <QString>

namespace prophasis {

// Problems with named fields of one object ("name": "must not be empty"); the API answers them
// as 422 and the console shows each beside its field.
struct FieldError
{
    QString field; // dotted path, e.g. "intervals.0.period_s"
    QString message;
    friend bool operator==(const FieldError &, const FieldError &) = default;
};

class FieldErrors
{
public:
    void add(const QString &field, const QString &message) { m_errors.append({field, message}); }
    void append(const FieldErrors &other) { m_errors.append(other.m_errors); }
    bool isEmpty() const { return m_errors.isEmpty(); }
    bool hasField(const QString &field) const;
    const QList<FieldError> &list() const { return m_errors; }
    QString summary() const; // "name: must not be empty; port: …"

private:
    QList<FieldError> m_errors;
};

} // namespace prophasis
