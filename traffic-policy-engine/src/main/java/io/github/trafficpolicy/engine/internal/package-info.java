/**
 * Implementation details that must be public for technical reasons (use by the dns module, and the contracts between
 * the evaluation core and its shipped inputs in {@code engine.input}). Not API: may change in any release, and the
 * API compatibility check (japicmp) leaves it out.
 */
@NullMarked
package io.github.trafficpolicy.engine.internal;

import org.jspecify.annotations.NullMarked;
