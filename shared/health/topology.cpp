#include "shared/health/topology.h"
