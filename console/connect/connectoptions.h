#pragma once

#include <QString>
#include <QUrl>

#include <optional>

#include "console/connect/connectionprofile.h"

class QCommandLineParser;

namespace prophasis {

class ProfileStore;

// What `--core URL --user U --password-file F [--core-key HEX]` asks for.
struct ConnectRequest
{
    QUrl coreUrl;
    QString user;
    QString password;  // the password file's first line
    QString pinnedKey; // --core-key, lower-case hex; empty when not given
};

// Adds --core, --user, --password-file and --core-key to the console's parser.
void addConnectOptions(QCommandLineParser &parser);

// The request the options make, after parser.process(). nullopt without --core (the dialog is
// shown); nullopt with `error` set when the options are incomplete or the password file is
// missing, unreadable or readable by group or others (refused like ssh refuses a loose key).
std::optional<ConnectRequest> connectRequestFrom(const QCommandLineParser &parser, QString *error);

// The password file's first line; nullopt with `error` set when it is missing, empty or not private.
std::optional<QString> readPasswordFile(const QString &path, QString *error);

// The profile to connect with without any dialog: the saved one for this core and user (or a new
// one), with the key from --core-key, else the key already pinned for it (a saved profile without
// a pin trusts a CA-issued certificate). nullopt when nothing is known about this core's key, so
// the person must see and confirm it first (open the ConnectDialog).
std::optional<ConnectionProfile> commandLineProfile(const ConnectRequest &request,
                                                    const ProfileStore &profiles);

} // namespace prophasis
