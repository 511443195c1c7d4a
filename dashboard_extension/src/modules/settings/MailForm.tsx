/** Sender, branding, storefront and consent (mailSettings). */

import { Box, Text } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import { type MailSettingsFieldsFragment, MailSettingsFormDocument, SaveMailSettingsDocument } from "../../gql/graphql";
import { useMutation, useQuery } from "../../app/hooks";
import { emailAddress, hexColor, httpUrl, required, validate } from "../../format/validation";
import { Field, SaveBar, Switch } from "../../ui/form";
import { Section } from "../../ui/layout";
import { ErrorState, Loading } from "../../ui/states";
import { errorsByField, useDraft } from "./useDraft";

type MailTexts = Omit<MailSettingsFieldsFragment, "mailWithoutConsent">;

const CHECKS = {
  fromEmail: [emailAddress],
  replyTo: [emailAddress],
  shopName: [required],
  logoUrl: [httpUrl],
  primaryColor: [hexColor],
  storefrontUrl: [httpUrl],
  checkoutUrlPattern: [(value: string) => (value.includes("{token}") ? undefined : "Must contain {token}, the checkout's token.")],
  consentMetadataKey: [required],
};

const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "pl", label: "Polish" },
  { code: "cs", label: "Czech" },
];

function texts(settings: MailSettingsFieldsFragment | undefined): MailTexts | undefined {
  if (!settings) return undefined;
  const { mailWithoutConsent: _ignored, ...rest } = settings;
  return rest;
}

export function MailForm() {
  const query = useQuery(MailSettingsFormDocument, {});
  const settings = query.data?.mailSettings;
  const form = useDraft(texts(settings));
  const [withoutConsent, setWithoutConsent] = useState<boolean | undefined>();
  const [save, saving] = useMutation(SaveMailSettingsDocument);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string>();

  if (query.error) return <ErrorState error={query.error} what="the email settings" onRetry={query.refetch} />;
  if (!settings || !form.draft) return <Loading label="Loading the email settings" rows={4} />;
  const values = form.draft;
  const consentFlag = withoutConsent ?? settings.mailWithoutConsent;
  const dirty = form.dirty || consentFlag !== settings.mailWithoutConsent;
  const set = (field: keyof MailTexts) => (value: string) => {
    form.set(field)(value);
    setMessage(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = validate(values, CHECKS);
    setErrors(problems as Record<string, string>);
    if (Object.keys(problems).length) return;
    const result = await save({ input: { ...form.changed(), ...(consentFlag !== settings.mailWithoutConsent ? { mailWithoutConsent: consentFlag } : {}) } });
    const answer = result?.updateMailSettings;
    if (answer?.errors.length) setErrors(errorsByField(answer.errors));
    else if (answer?.mailSettings) {
      setMessage("Saved. The next email uses these.");
      setWithoutConsent(undefined);
      query.refetch();
    }
  };

  return (
    <Section id="mail-settings" title="Sender and branding" description="Every email carries the shop's name or logo, its colour and its postal address.">
      <form onSubmit={submit} noValidate aria-label="Sender and branding">
        <div className="form-grid">
          <Field label="From" type="email" value={values.fromEmail} onChange={set("fromEmail")} error={errors.fromEmail} placeholder="Shop <shop@example.com>" help="Empty: the app's default sender." />
          <Field label="Reply to" type="email" value={values.replyTo} onChange={set("replyTo")} error={errors.replyTo} />
          <Field label="Shop name" value={values.shopName} onChange={set("shopName")} error={errors.shopName} />
          <Field label="Logo URL" type="url" value={values.logoUrl} onChange={set("logoUrl")} error={errors.logoUrl} help="Shown instead of the name when set." />
          <Field label="Colour" value={values.primaryColor} onChange={set("primaryColor")} error={errors.primaryColor} help={<span><span aria-hidden="true" style={{ display: "inline-block", width: 10, height: 10, borderRadius: 2, background: values.primaryColor, marginRight: 4 }} />Buttons and accents.</span>} />
          <div>
            <label className="field-label" htmlFor="default-language">
              Default language
            </label>
            <select id="default-language" className="native-select" value={values.defaultLanguage} onChange={(event) => set("defaultLanguage")(event.target.value)}>
              {LANGUAGES.map((language) => (
                <option key={language.code} value={language.code}>
                  {language.label}
                </option>
              ))}
            </select>
            <Text as="p" size={1} color="default2">For customers whose language has no copy.</Text>
          </div>
        </div>
        <Box marginTop={4}>
          <label className="field-label" htmlFor="footer-address">
            Postal address (in every footer)
          </label>
          <textarea id="footer-address" className="native-select" rows={3} value={values.footerAddress} onChange={(event) => set("footerAddress")(event.target.value)} />
        </Box>
        <Text as="h3" size={5} fontWeight="bold" display="block" marginTop={6} marginBottom={3}>
          Storefront
        </Text>
        <div className="form-grid">
          <Field label="Storefront URL" type="url" value={values.storefrontUrl} onChange={set("storefrontUrl")} error={errors.storefrontUrl} placeholder="https://shop.example.com" help="Where links in emails lead." />
          <Field label="Cart link" value={values.checkoutUrlPattern} onChange={set("checkoutUrlPattern")} error={errors.checkoutUrlPattern} help="{storefront} and {token} are filled in." />
        </div>
        <Text as="h3" size={5} fontWeight="bold" display="block" marginTop={6} marginBottom={3}>
          Consent
        </Text>
        <div className="form-grid">
          <Field label="Consent key (Saleor user metadata)" value={values.consentMetadataKey} onChange={set("consentMetadataKey")} error={errors.consentMetadataKey} help="Values like yes, true or opt-in mean they agreed to marketing email." />
        </div>
        <Box marginTop={3}>
          <Switch
            label="Also mail customers who never said either way"
            checked={consentFlag}
            onChange={(checked) => {
              setWithoutConsent(checked);
              setMessage(undefined);
            }}
            description="Off: only customers who agreed get marketing emails. Check the law where your customers live before turning this on."
          />
        </Box>
        {errors._ ? <div className="field-error" role="alert">{errors._}</div> : null}
        <SaveBar
          saving={saving.running}
          dirty={dirty}
          message={message}
          error={saving.error?.message}
          onReset={() => {
            form.reset();
            setWithoutConsent(undefined);
            setErrors({});
          }}
        />
      </form>
    </Section>
  );
}
