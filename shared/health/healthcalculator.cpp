#include "shared/health/healthcalculator.h"
