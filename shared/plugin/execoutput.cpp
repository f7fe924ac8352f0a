#include "shared/plugin/execoutput.h"
