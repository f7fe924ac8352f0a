#include "shared/plugin/nagiosoutput.h"
