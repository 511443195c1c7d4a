/** One scenario: its switch, step timings, templates and offers, dry run and live preview. */

import { Box, Button, Text } from "@saleor/macaw-ui";
import { type FormEvent, useEffect, useMemo, useState } from "react";

import {
  EmailTemplateListDocument,
  type ScenarioDetailQuery,
  ScenarioDetailDocument,
  type ScenarioInput,
  UpdateScenarioDocument,
} from "../../gql/graphql";
import { useApp, useMutation, useQuery } from "../../app/hooks";
import { pathFor, useRouter } from "../../app/router";
import { humanize } from "../../format/labels";
import { formatCount, formatDateTime } from "../../format/numbers";
import { numberBetween, parseNumber } from "../../format/validation";
import { Field, SaveBar } from "../../ui/form";
import { PageHeader, Section } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CONDITION_LABELS, describeTrigger, EXIT_LABELS } from "./describe";
import { EmailPreviewPanel } from "./EmailPreviewPanel";
import { ScenarioSwitch } from "./ScenarioSwitch";
import { checkStep, formatHours, locateProblem, type StepDraft, type StepErrors, stepChanges, timeline, toDraft } from "./steps";

type Scenario = NonNullable<ScenarioDetailQuery["scenario"]>;

const OFFER_KINDS = [
  { value: "", label: "No code" },
  { value: "PERCENTAGE", label: "Percentage off" },
  { value: "FIXED_AMOUNT", label: "Amount off" },
  { value: "FREE_SHIPPING", label: "Free shipping" },
] as const;

const DRY_RUN_DAYS = [7, 30, 90];

function StepFields({ draft, errors, templates, onChange }: {
  draft: StepDraft;
  errors: StepErrors;
  templates: { key: string; name: string }[];
  onChange: (draft: StepDraft) => void;
}) {
  const set = (field: keyof StepDraft) => (value: string) => onChange({ ...draft, [field]: value });
  if (draft.kind === "WAIT") {
    return (
      <div className="form-grid">
        <Field label="Wait (hours)" type="number" value={draft.delayHours} onChange={set("delayHours")} error={errors.delayHours} name={`${draft.key}-delay`} />
        <Field label="Then until (time of day, optional)" placeholder="10:00" value={draft.untilLocalTime} onChange={set("untilLocalTime")} error={errors.untilLocalTime} help="In the shop's time zone." />
      </div>
    );
  }
  if (draft.kind === "SEND") {
    const templateId = `${draft.key}-template`;
    const offerId = `${draft.key}-offer`;
    return (
      <div className="form-grid">
        <div>
          <label className="field-label" htmlFor={templateId}>
            Email
          </label>
          <select id={templateId} className="native-select" value={draft.template} onChange={(event) => set("template")(event.target.value)} aria-invalid={errors.template ? true : undefined}>
            {templates.some((template) => template.key === draft.template) ? null : <option value={draft.template}>{draft.template || "Choose…"}</option>}
            {templates.map((template) => (
              <option key={template.key} value={template.key}>
                {template.name} ({template.key})
              </option>
            ))}
          </select>
          {errors.template ? <div className="field-error" role="alert">{errors.template}</div> : null}
        </div>
        <div>
          <label className="field-label" htmlFor={offerId}>
            Voucher code
          </label>
          <select id={offerId} className="native-select" value={draft.offerKind} onChange={(event) => set("offerKind")(event.target.value)}>
            {OFFER_KINDS.map((kind) => (
              <option key={kind.value} value={kind.value}>
                {kind.label}
              </option>
            ))}
          </select>
        </div>
        {draft.offerKind === "PERCENTAGE" || draft.offerKind === "FIXED_AMOUNT" ? (
          <Field label={draft.offerKind === "PERCENTAGE" ? "Percent off" : "Amount off"} type="number" value={draft.offerValue} onChange={set("offerValue")} error={errors.offerValue} />
        ) : null}
        {draft.offerKind ? (
          <>
            <Field label="Code valid for (days)" type="number" value={draft.offerValidDays} onChange={set("offerValidDays")} error={errors.offerValidDays} />
            <Field label="Minimum order (optional)" type="number" value={draft.offerMinOrderValue} onChange={set("offerMinOrderValue")} error={errors.offerMinOrderValue} />
          </>
        ) : null}
      </div>
    );
  }
  return null;
}

function offerOf(draft: StepDraft) {
  if (!draft.offerKind) return null;
  const value = parseNumber(draft.offerValue);
  return {
    kind: draft.offerKind,
    value: draft.offerKind === "FREE_SHIPPING" ? 0 : value !== null && Number.isFinite(value) ? value : undefined,
    validDays: parseNumber(draft.offerValidDays) ?? undefined,
    minOrderValue: parseNumber(draft.offerMinOrderValue),
  };
}

function Editor({ scenario, onSaved }: { scenario: Scenario; onSaved: () => void }) {
  const { session } = useApp();
  const templates = useQuery(EmailTemplateListDocument, {});
  const [update, updating] = useMutation(UpdateScenarioDocument);
  const original = useMemo(() => scenario.steps.map(toDraft), [scenario]);
  const [drafts, setDrafts] = useState(original);
  const [holdout, setHoldout] = useState(String(Math.round(scenario.holdoutShare * 1000) / 10));
  const [window_, setWindow] = useState(String(scenario.attributionWindowDays));
  const [stepErrors, setStepErrors] = useState<Record<string, StepErrors>>({});
  const [formErrors, setFormErrors] = useState<{ holdout?: string; window?: string; form?: string }>({});
  const [message, setMessage] = useState<string>();
  const sends = drafts.filter((draft) => draft.kind === "SEND");
  const [previewKey, setPreviewKey] = useState(sends[0]?.key);

  useEffect(() => {
    setDrafts(original);
    setHoldout(String(Math.round(scenario.holdoutShare * 1000) / 10));
    setWindow(String(scenario.attributionWindowDays));
  }, [original, scenario]);

  const patch = stepChanges(original, drafts);
  const holdoutChanged = parseNumber(holdout) !== Math.round(scenario.holdoutShare * 1000) / 10;
  const windowChanged = parseNumber(window_) !== scenario.attributionWindowDays;
  const dirty = patch.length > 0 || holdoutChanged || windowChanged;
  const when = new Map(
    timeline(drafts.map((draft, index) => ({ ...draft, next: scenario.steps[index].next, then: scenario.steps[index].then }))).map((entry) => [entry.key, entry]),
  );
  const previewed = drafts.find((draft) => draft.key === previewKey) ?? sends[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    const checked = Object.fromEntries(drafts.map((draft) => [draft.key, checkStep(draft)]).filter(([, errors]) => Object.keys(errors as StepErrors).length));
    const problems = {
      holdout: numberBetween(0, 50)(holdout),
      window: numberBetween(0.5, 90)(window_),
    };
    setStepErrors(checked);
    setFormErrors(problems);
    if (Object.keys(checked).length || problems.holdout || problems.window) return;
    const input: ScenarioInput = {};
    if (patch.length) input.steps = patch;
    if (holdoutChanged) input.holdoutShare = (parseNumber(holdout) ?? 0) / 100;
    if (windowChanged) input.attributionWindowDays = parseNumber(window_);
    const result = await update({ key: scenario.key, input });
    const errors = result?.scenarioUpdate?.errors ?? [];
    if (!result) return;
    if (errors.length) {
      const byStep: Record<string, StepErrors> = {};
      const rest: typeof formErrors = {};
      for (const error of errors) {
        const where = locateProblem(error.field, patch);
        if (where.step) {
          const field = (where.field === "offer" ? "offerValue" : where.field ?? "delayHours") as keyof StepErrors;
          byStep[where.step] = { ...byStep[where.step], [field]: error.message };
        } else if (error.field === "holdoutShare") rest.holdout = error.message;
        else if (error.field === "attributionWindowDays") rest.window = error.message;
        else rest.form = `${rest.form ? `${rest.form} ` : ""}${error.message}`;
      }
      setStepErrors(byStep);
      setFormErrors(rest);
      return;
    }
    const saved = result.scenarioUpdate?.scenario;
    setMessage(saved && saved.version !== scenario.version ? `Saved as version ${saved.version}. Customers on their way finish on the version they started.` : "Saved.");
    session.notify("success", `${scenario.name} saved`);
    onSaved();
  };

  const templateOptions = (templates.data?.emailTemplates ?? []).map((template) => ({ key: template.key, name: template.name }));

  return (
    <form onSubmit={submit} noValidate aria-label={`Edit ${scenario.name}`}>
      <Section id="steps" title="Steps" description="Waits, emails and their codes, in the order a customer goes through them. Times add up from the moment they enter.">
        {templates.error ? <ErrorState error={templates.error} what="the list of emails" onRetry={templates.refetch} /> : null}
        <ol className="step-list">
          {drafts.map((draft, index) => {
            const step = scenario.steps[index];
            const entry = when.get(draft.key);
            return (
              <li key={draft.key} data-testid={`step-${draft.key}`}>
                <Box display="flex" justifyContent="space-between" gap={3} marginBottom={draft.kind === "WAIT" || draft.kind === "SEND" ? 3 : 0} flexWrap="wrap">
                  <Box>
                    <span className="step-kind">{humanize(draft.kind.toLowerCase())}</span>{" "}
                    <Text size={3} fontWeight="medium">
                      {draft.key}
                    </Text>
                    {entry && draft.kind === "SEND" ? (
                      <Text size={2} color="default2" marginLeft={2}>
                        about {formatHours(entry.atHours)} after entering{entry.untilLocalTime ? `, at ${entry.untilLocalTime}` : ""}
                      </Text>
                    ) : null}
                    {draft.kind === "BRANCH" ? (
                      <Text size={2} color="default2" marginLeft={2}>
                        if they {CONDITION_LABELS[step.condition ?? ""] ?? step.condition} → {step.then}, otherwise → {step.otherwise}
                      </Text>
                    ) : null}
                    {draft.kind === "EXIT" ? (
                      <Text size={2} color="default2" marginLeft={2}>
                        the scenario ends
                      </Text>
                    ) : null}
                    {draft.kind === "SEND" && !step.marketing ? (
                      <Text size={2} color="default2" marginLeft={2}>
                        (service email: outside the frequency budget)
                      </Text>
                    ) : null}
                  </Box>
                  {draft.kind === "SEND" ? (
                    <Button type="button" variant={previewed?.key === draft.key ? "primary" : "secondary"} size="small" onClick={() => setPreviewKey(draft.key)} aria-pressed={previewed?.key === draft.key}>
                      Preview
                    </Button>
                  ) : null}
                </Box>
                <StepFields
                  draft={draft}
                  errors={stepErrors[draft.key] ?? {}}
                  templates={templateOptions}
                  onChange={(next) => {
                    setDrafts(drafts.map((item) => (item.key === next.key ? next : item)));
                    setMessage(undefined);
                  }}
                />
              </li>
            );
          })}
        </ol>
      </Section>
      <Section id="measure" title="Measuring it" description="A holdout walks through the same steps with nothing sent, so the Results page can tell what the scenario added.">
        <div className="form-grid">
          <Field label="Holdout (% of entrants)" type="number" value={holdout} onChange={setHoldout} error={formErrors.holdout} help="0 to 50; 10 is a good default." />
          <Field label="Attribution window (days)" type="number" value={window_} onChange={setWindow} error={formErrors.window} help="An order this long after an email counts for it." />
        </div>
        {formErrors.form ? <div className="field-error" role="alert">{formErrors.form}</div> : null}
        <SaveBar
          saving={updating.running}
          dirty={dirty}
          message={message}
          error={updating.error?.message}
          label="Save changes"
          onReset={() => {
            setDrafts(original);
            setHoldout(String(Math.round(scenario.holdoutShare * 1000) / 10));
            setWindow(String(scenario.attributionWindowDays));
            setStepErrors({});
            setFormErrors({});
          }}
        />
      </Section>
      {previewed ? (
        <Section id="preview" title="Email preview" description="Updates as you change the step's email or code.">
          {previewed.template ? (
            <EmailPreviewPanel template={previewed.template} offer={offerOf(previewed)} stepLabel={`Step ${previewed.key}`} />
          ) : (
            <Text>Choose an email for this step to see it.</Text>
          )}
        </Section>
      ) : null}
    </form>
  );
}

function DryRun({ scenario, days, onDays }: { scenario: Scenario; days: number; onDays: (days: number) => void }) {
  const numbers = scenario.dryRun;
  return (
    <Section
      id="dry-run"
      title="Dry run"
      description="Who would enter if it were on, worked out from your shop's data. Nothing is sent."
      actions={
        <div className="segmented" role="group" aria-label="Days ahead">
          {DRY_RUN_DAYS.map((option) => (
            <button key={option} type="button" aria-pressed={days === option} onClick={() => onDays(option)}>
              {option} days
            </button>
          ))}
        </div>
      }
    >
      <div className="stat-grid">
        <div className="stat" data-testid="dry-run-entries">
          <Text size={2} color="default2" display="block">
            Would enter in {numbers.days} days
          </Text>
          <Text size={8} fontWeight="bold" display="block">
            {formatCount(numbers.expectedEntries)}
          </Text>
        </div>
        <div className="stat">
          <Text size={2} color="default2" display="block">
            Held out
          </Text>
          <Text size={8} fontWeight="bold" display="block">
            {formatCount(numbers.heldOut)}
          </Text>
        </div>
        <div className="stat">
          <Text size={2} color="default2" display="block">
            Emails, at most
          </Text>
          <Text size={8} fontWeight="bold" display="block">
            {formatCount(numbers.emailsExpected)}
          </Text>
        </div>
      </div>
      <Text as="p" size={2} color="default2">
        {numbers.perDay.toFixed(1)} a day; estimated from {numbers.basis}.
      </Text>
    </Section>
  );
}

export default function ScenarioPage() {
  const { route } = useRouter();
  const key = route?.params.key ?? "";
  const [days, setDays] = useState(7);
  const detail = useQuery(ScenarioDetailDocument, { key, days });
  const scenario = detail.data?.scenario;

  if (detail.error) return <ErrorState error={detail.error} what="the scenario" onRetry={detail.refetch} />;
  if (!detail.data) return <Loading label="Loading the scenario" rows={8} />;
  if (!scenario) {
    return (
      <EmptyState title="No such scenario" action={<Link to={pathFor("scenarios")}>All scenarios</Link>}>
        The shop has no scenario called “{key}”.
      </EmptyState>
    );
  }
  return (
    <>
      <Box marginBottom={2}>
        <Link to={pathFor("scenarios")}>← Scenarios</Link>
      </Box>
      <PageHeader
        title={scenario.name}
        description={`${describeTrigger(scenario.trigger)}. Stops when ${scenario.exitWhen.map((reason) => EXIT_LABELS[reason] ?? reason).join(" or ") || "the steps end"}. Version ${scenario.version} since ${formatDateTime(scenario.versionCreatedAt)}; ${formatCount(scenario.activeEnrollments)} customers on their way.`}
        actions={<ScenarioSwitch scenario={scenario} onChanged={detail.refetch} />}
      />
      <DryRun scenario={scenario} days={days} onDays={setDays} />
      <Editor scenario={scenario} onSaved={detail.refetch} />
    </>
  );
}
