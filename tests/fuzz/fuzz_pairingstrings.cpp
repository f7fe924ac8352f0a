// Fuzzes the enrollment and join strings an admin pastes (SPEC §9): decode() of arbitrary text,
// and of arbitrary JSON behind a valid prefix and base64url (so the fuzzer reaches the field
// checks without having to invent base64). What decodes must encode and decode to itself.
#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "shared/enrollment/pairingstrings.h"

namespace {

using prophasis::EnrollmentString;
using prophasis::JoinString;

template <typename Pairing>
void decodeAndRoundTrip(const QString &text)
{
    QString error;
    const std::optional<Pairing> decoded = Pairing::decode(text, &error);
    if (!decoded) {
        if (error.isEmpty())
            std::abort(); // a refusal always says why
        return;
    }
    const std::optional<Pairing> again = Pairing::decode(decoded->encode(), &error);
    if (!again || !(*again == *decoded))
        std::abort();
}

QString wrap(QLatin1StringView prefix, const QByteArray &json)
{
    return prefix +
           QString::fromLatin1(json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte chooses the form; the rest is the text, or the JSON inside it.
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        decodeAndRoundTrip<EnrollmentString>(QString::fromUtf8(rest));
        break;
    case 1:
        decodeAndRoundTrip<JoinString>(QString::fromUtf8(rest));
        break;
    case 2:
        decodeAndRoundTrip<EnrollmentString>(wrap(QLatin1StringView("prophasis-enroll-v1:"), rest));
        break;
    default:
        decodeAndRoundTrip<JoinString>(wrap(QLatin1StringView("prophasis-join-v1:"), rest));
        break;
    }
    return 0;
}
