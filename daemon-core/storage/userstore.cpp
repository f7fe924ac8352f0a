#include "daemon-core/storage/userstore.h"
