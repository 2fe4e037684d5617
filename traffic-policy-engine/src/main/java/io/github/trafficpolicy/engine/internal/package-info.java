/**
 * Implementation details that must be public for technical reasons (reflection by a library, use by the dns
 * module). Not API: may change in any release.
 */
package io.github.trafficpolicy.engine.internal;
