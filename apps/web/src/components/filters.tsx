import type { ComponentChildren } from 'preact';
import { navigate, type Params, type Route, withParams } from '../router';
import { MATERIALS } from '../types';

/**
 * A page's filters. They act only on submit, by putting their values in the URL: the page loads what the
 * URL selects, so a filtered view can be linked, reloaded and stepped back from.
 */
export function FilterForm(props: {
  route: Route;
  label: string;
  submitLabel: string;
  /** the parameters to set from the fields; undefined removes one */
  params: () => Params;
  children: ComponentChildren;
}) {
  return (
    <form
      class="filters"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        navigate(withParams(props.route, props.params()));
      }}
    >
      {props.children}
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}

/** A country code as the API takes it (upper case); empty: no filter. */
export const countryParam = (field: string): string | undefined => field.trim().toUpperCase() || undefined;

export function CountryField(props: {
  id: string;
  label: string;
  value: string | undefined;
  required?: boolean;
  onInput: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        value={props.value}
        maxLength={2}
        required={props.required}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </div>
  );
}

/** A choice of one material, or (the empty value) of any. */
export function MaterialField(props: {
  id: string;
  value: string | undefined;
  anyLabel: string;
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>Material</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        <option value="">{props.anyLabel}</option>
        {Object.keys(MATERIALS).map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </select>
    </div>
  );
}
