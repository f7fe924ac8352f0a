// Fuzzes the JSON decoding of every entity (shared/json: what the API reads from clients, the
// console from the core and the config import from files): fromJson() of arbitrary JSON into a
// default object, then validate(). An object read without errors must read back to itself from
// its own JSON (secrets and hashes, which are write-only, aside).
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "shared/domain/validation.h"
#include "shared/json/entityjson.h"

namespace {

using namespace prophasis;

template <typename Entity>
void decode(const QJsonObject &json, bool roundTrips)
{
    Entity entity;
    const FieldErrors errors = fromJson(json, entity);
    if constexpr (requires { validate(entity); })
        (void)validate(entity);
    if (!errors.isEmpty() || !roundTrips)
        return;
    // Through JSON text, as on the wire.
    const QJsonObject written = toJson(entity);
    const QJsonObject reread = QJsonDocument::fromJson(QJsonDocument(written).toJson()).object();
    Entity again;
    if (!fromJson(reread, again).isEmpty() || toJson(again) != written)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte chooses the entity; the rest is its JSON.
    const QJsonObject json =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1)))
            .object();
    switch (data[0] % 12) {
    case 0:
        decode<Host>(json, true);
        break;
    case 1:
        decode<HostGroup>(json, true);
        break;
    case 2:
        decode<Plugin>(json, true);
        break;
    case 3:
        decode<Check>(json, true);
        break;
    case 4:
        decode<Schedule>(json, true);
        break;
    case 5:
        decode<Service>(json, true);
        break;
    case 6:
        decode<Alert>(json, false);
        break; // secrets are write-only
    case 7:
        decode<User>(json, false);
        break; // the password is write-only
    case 8:
        decode<ApiToken>(json, false);
        break;
    case 9:
        decode<LogEntry>(json, true);
        break;
    case 10:
        decode<AuditEntry>(json, true);
        break;
    default:
        decode<CheckResult>(json, true);
        break;
    }
    return 0;
}
