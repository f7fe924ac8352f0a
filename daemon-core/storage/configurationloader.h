#pragma once

#include "shared/domain/configuration.h"

namespace prophasis {

class Database;
class SecretBox;

// Reads every configuration object in one transaction, so the snapshot is consistent: what the
// scheduler, health computation and config export work from.
Configuration loadConfiguration(Database &db, const SecretBox &secrets);

} // namespace prophasis
