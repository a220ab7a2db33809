/**
 * Communication rules of issue 15, pure (no I/O, no clock, no fastify): what a good answer
 * contains (`expects`), substance, threading of answers to questions, the automatic share of a
 * question and the checks of a status update, and when a persona follows up or escalates.
 * The rules themselves live in ./rules/, one file each; docs/communication.md explains them with
 * examples a team can read before the event.
 */
export { detectExpects, ELEMENT_LABEL, MISSING, RULES, TIME, type Evidence, type ExpectFinding, type ExpectsResult, type Rule } from './rules/expects.js';
export { MIN_WEIGHT, PLACEHOLDERS, substance, type Earlier, type SubstanceResult } from './rules/substance.js';
export { threadAnswers, type Attempt, type MessageThread, type OtherMessage, type QuestionThread, type ThreadMessage, type ThreadQuestion, type ThreadResult } from './rules/threading.js';
export {
  checkStatusUpdate,
  COVERAGE_WEIGHT,
  LATENCY_WEIGHT,
  latencyShare,
  questionShare,
  type FieldCheck,
  type QuestionScore,
  type StatusCheck,
  type StatusField,
  type StatusInput,
} from './rules/share.js';
export { decideReactions, DEFAULT_ESCALATION, DEFAULT_FOLLOW_UP, escalationKey, followUpKey, tone, type ChainLink, type Reaction, type ReactionInput } from './rules/followups.js';
export { essence, fold, weight } from './rules/text.js';
