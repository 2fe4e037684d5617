/**
 * Implementation details that must be public for technical reasons (use by the dns
 * module). Not API: may change in any release.
 */
@NullMarked
package io.github.trafficpolicy.engine.internal;

import org.jspecify.annotations.NullMarked;
