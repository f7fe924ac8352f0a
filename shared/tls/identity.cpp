#include "shared/tls/identity.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>

#include <memory>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace prophasis {

namespace {

template <typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *pointer) const { Free(pointer); }
};
using KeyPointer = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePointer = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPointer = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(length));
}

KeyPointer keyFromPem(const QByteArray &pem)
{
    BioPointer bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return KeyPointer(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

QByteArray keyToPem(EVP_PKEY *key)
{
    BioPointer bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return bioBytes(bio.get());
}

void addExtension(X509 *certificate, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData());
    if (extension) {
        X509_add_ext(certificate, extension, -1);
        X509_EXTENSION_free(extension);
    }
}

TlsIdentity selfSign(EVP_PKEY *key, const QString &commonName, const QStringList &subjectAltNames,
                     int validDays)
{
    CertificatePointer certificate(X509_new());
    X509_set_version(certificate.get(), 2);
    // A random 127-bit serial, as RFC 5280 asks of a positive number of at most 20 octets.
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *serialNumber = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate.get()));
    BN_free(serialNumber);
    // Valid from a day ago, so a peer whose clock lags a little still accepts it.
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -24L * 3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), long(validDays) * 24 * 3600);
    X509_set_pubkey(certificate.get(), key);
    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray cn = commonName.left(64).toUtf8();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);

    QStringList altNames;
    for (const QString &entry : subjectAltNames)
        altNames.append((QHostAddress(entry).isNull() ? QStringLiteral("DNS:") : QStringLiteral("IP:")) +
                        entry);
    if (!altNames.isEmpty())
        addExtension(certificate.get(), NID_subject_alt_name, altNames.join(u',').toUtf8());
    addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
    addExtension(certificate.get(), NID_ext_key_usage, "serverAuth,clientAuth");
    addExtension(certificate.get(), NID_subject_key_identifier, "hash");
    X509_sign(certificate.get(), key, EVP_sha256());

    BioPointer bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), certificate.get());
    TlsIdentity identity;
    identity.certificate = QSslCertificate(bioBytes(bio.get()), QSsl::Pem);
    identity.privateKey = QSslKey(keyToPem(key), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    return identity;
}

} // namespace

TlsIdentity TlsIdentity::generate(const QString &commonName, const QStringList &subjectAltNames,
                                  int validDays)
{
    KeyPointer key(EVP_EC_gen("P-256"));
    if (!key)
        return TlsIdentity();
    return selfSign(key.get(), commonName, subjectAltNames, validDays);
}

TlsIdentity TlsIdentity::renew(const QSslKey &privateKey, const QString &commonName,
                               const QStringList &subjectAltNames, int validDays)
{
    KeyPointer key = keyFromPem(privateKey.toPem());
    if (!key)
        return TlsIdentity();
    return selfSign(key.get(), commonName, subjectAltNames, validDays);
}

std::optional<TlsIdentity> TlsIdentity::load(const QString &keyFile, const QString &certificateFile,
                                             QString *error)
{
    QFile keyInput(keyFile);
    QFile certificateInput(certificateFile);
    if (!keyInput.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the private key %1: %2").arg(keyFile, keyInput.errorString());
        return std::nullopt;
    }
    if (!certificateInput.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the certificate %1: %2")
                     .arg(certificateFile, certificateInput.errorString());
        return std::nullopt;
    }
    const QByteArray keyPem = keyInput.readAll();
    TlsIdentity identity;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        identity.privateKey = QSslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!identity.privateKey.isNull())
            break;
    }
    QList<QSslCertificate> chain = QSslCertificate::fromData(certificateInput.readAll(), QSsl::Pem);
    if (!chain.isEmpty())
        identity.certificate = chain.takeFirst();
    identity.intermediates = chain;
    if (identity.privateKey.isNull()) {
        *error = QStringLiteral("%1 is not a PEM private key (EC or RSA, unencrypted)").arg(keyFile);
        return std::nullopt;
    }
    if (identity.certificate.isNull()) {
        *error = QStringLiteral("%1 is not a PEM certificate").arg(certificateFile);
        return std::nullopt;
    }
    if (spkiSha256(identity.certificate) != spkiSha256(identity.privateKey)) {
        *error = QStringLiteral("the certificate %1 is not for the key %2").arg(certificateFile, keyFile);
        return std::nullopt;
    }
    return identity;
}

QByteArray TlsIdentity::certificatePem() const
{
    QByteArray pem = certificate.toPem();
    for (const QSslCertificate &intermediate : intermediates)
        pem += intermediate.toPem();
    return pem;
}

bool TlsIdentity::save(const QString &keyFile, const QString &certificateFile, QString *error) const
{
    const std::pair<const QString *, QByteArray> files[] = {{&keyFile, privateKey.toPem()},
                                                            {&certificateFile, certificatePem()}};
    for (const auto &[path, pem] : files) {
        QSaveFile file(*path);
        if (!file.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write %1: %2").arg(*path, file.errorString());
            return false;
        }
        file.setPermissions(path == &keyFile ? (QFileDevice::ReadOwner | QFileDevice::WriteOwner)
                                             : (QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ReadGroup | QFileDevice::ReadOther));
        file.write(pem);
        if (!file.commit()) {
            *error = QStringLiteral("cannot write %1: %2").arg(*path, file.errorString());
            return false;
        }
    }
    return true;
}

QString spkiSha256(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return spkiSha256(certificate.publicKey());
}

QString spkiSha256(const QSslKey &key)
{
    if (key.isNull())
        return {};
    // QSslKey::toDer() of a public key is its SubjectPublicKeyInfo; of a private key, derive it.
    QByteArray der;
    if (key.type() == QSsl::PublicKey) {
        der = key.toDer();
    } else {
        KeyPointer parsed = keyFromPem(key.toPem());
        if (!parsed)
            return {};
        unsigned char *buffer = nullptr;
        const int length = i2d_PUBKEY(parsed.get(), &buffer);
        if (length <= 0)
            return {};
        der = QByteArray(reinterpret_cast<const char *>(buffer), length);
        OPENSSL_free(buffer);
    }
    return QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
}

} // namespace prophasis
