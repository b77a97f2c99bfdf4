/**
 * Drives persisted state machines: runs the pending step of a row as soon as it is written, one step
 * per row at a time, retries failed steps with exponential back-off, and resumes every pending row
 * when the node starts again.
 */
package fr.socle.statemachine;
