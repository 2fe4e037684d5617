/**
 * Policy test files: {@link io.github.trafficpolicy.engine.testing.PolicyTestFile} reads a {@code *.expect.json}
 * file (client situations and the answers expected for them) and
 * {@link io.github.trafficpolicy.engine.testing.PolicyTestRunner} checks them against an evaluator, case by case,
 * with printable results. Users write these files to check a policy before rollout.
 */
@NullMarked
package io.github.trafficpolicy.engine.testing;

import org.jspecify.annotations.NullMarked;
