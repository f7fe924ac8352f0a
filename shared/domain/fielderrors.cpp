#include "shared/domain/fielderrors.h"

#include <algorithm>

namespace prophasis {

bool FieldErrors::hasField(const QString &field) const
{
    return std::any_of(m_errors.cbegin(), m_errors.cend(),
                       [&](const FieldError &error) { return error.field == field; });
}

QString FieldErrors::summary() const
{
    QStringList parts;
    for (const FieldError &error : m_errors)
        parts.append(error.field.isEmpty() ? error.message : error.field + QStringLiteral(": ") + error.message);
    return parts.join(QStringLiteral("; "));
}

} // namespace prophasis
