#include "daemon-core/storage/logstore.h"
