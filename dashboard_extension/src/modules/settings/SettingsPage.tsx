import { PageHeader } from "../../ui/layout";
import { ContactForm } from "./ContactForm";
import { LifecycleForm } from "./LifecycleForm";
import { MailForm } from "./MailForm";

export default function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        description="Who the emails come from and how they look, when customers may be mailed, and when a customer counts as at risk or lapsed."
      />
      <MailForm />
      <ContactForm />
      <LifecycleForm />
    </>
  );
}
