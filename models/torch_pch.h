// Precompiled header for targets that use LibTorch: the headers below cost seconds per
// translation unit to parse, so they are parsed once per target (SHISHU_USE_PCH).
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
