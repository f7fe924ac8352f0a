#include "shared/plugin/manifest.h"
