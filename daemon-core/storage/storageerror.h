#pragma once

#include <QString>

#include <stdexcept>

namespace prophasis {

// Thrown by the storage layer; the executor hands it to the caller through the future, and the
// API turns the kind into an HTTP status.
class StorageError : public std::runtime_error
{
public:
    enum class Kind
    {
        NotFound,    // no object with that id
        Conflict,    // the stored version differs from the one the change was based on
        Duplicate,   // a unique value (name) is taken
        MissingReference, // the object names another object that does not exist
        Invalid,     // the object breaks a rule
        Unavailable, // the database cannot be reached
        Internal,    // anything else: a bug or a broken database
    };

    StorageError(Kind kind, const QString &message, const QString &field = {})
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
        , m_message(message)
        , m_field(field)
    {
    }

    Kind kind() const { return m_kind; }
    const QString &message() const { return m_message; }
    const QString &field() const { return m_field; } // the field a Duplicate or Invalid is about

private:
    Kind m_kind;
    QString m_message;
    QString m_field;
};

} // namespace prophasis
