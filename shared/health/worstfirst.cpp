#include "shared/health/worstfirst.h"
