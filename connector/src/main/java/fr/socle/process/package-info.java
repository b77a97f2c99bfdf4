/**
 * The kit both DSP state machines (negotiation and transfer) are built from: the {@link
 * fr.socle.process.StepRunner} that runs a row's pending step as soon as its state is committed (one
 * step per row at a time, retries with back-off, every pending row resumed at start), its {@link
 * fr.socle.process.Tuning}, the shared steps of {@link fr.socle.process.ProcessSteps} (advance, give
 * up, converge with the counter-party's record), the DSP owner check and the {@link
 * fr.socle.process.Refusal} a process answers a partner with. Negotiation and transfer keep only what
 * differs. Depends on the DSP wire ({@code protocol}) and {@code store} only.
 */
package fr.socle.process;
