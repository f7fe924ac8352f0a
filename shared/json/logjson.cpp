#include "shared/json/entityjson.h"
