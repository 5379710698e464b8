// The built-in phases' closed-form predictions (bench/prediction.h), torch-free: the
// phase files hand them to their hooks, and the torch-free tools (shishu-report's
// planner commands, which set measured peaks against them and write predicted reports)
// call them by phase name. One home, so a measured point and a predicted one are set
// against the same analytic figures.
#pragma once
#include <string_view>

#include "bench/memory_model.h"
#include "bench/point.h"
#include "bench/prediction.h"
#include "models/model_config.h"

namespace shishu::bench {

Prediction predict_forward(const models::ModelConfig& c, const Point& p);
Prediction predict_forward_backward(const models::ModelConfig& c, const Point& p);
Prediction predict_train_step(const models::ModelConfig& c, const Point& p);
Prediction predict_generate(const models::ModelConfig& c, const Point& p);
Prediction predict_decode(const models::ModelConfig& c, const Point& p);

using ClosedForm = Prediction (*)(const models::ModelConfig&, const Point&);
// The built-in phase's prediction by its canonical name; nullptr for a phase declared
// elsewhere (a test's own), whose prediction only its hooks know.
ClosedForm closed_form(std::string_view phase);

}  // namespace shishu::bench
