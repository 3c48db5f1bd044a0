import { describe, expect, it } from 'vitest';
import { formRequest, withFormFields } from './form-body.js';

describe('form bodies', () => {
  it('formRequest encodes the fields as application/x-www-form-urlencoded text', () => {
    expect(formRequest('https://api.example.org/m', { message: 'a <b> & c', priority: -1, html: 1 })).toEqual({
      method: 'POST',
      url: 'https://api.example.org/m',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'message=a+%3Cb%3E+%26+c&priority=-1&html=1',
    });
  });

  it('withFormFields adds fields (credentials at send time) and replaces same-named ones, leaving the request as it was', () => {
    const request = formRequest('https://api.example.org/m', { message: 'hi', token: 'old' });
    expect(withFormFields(request, { token: 't=1&x', user: 'u' }).body).toBe('message=hi&token=t%3D1%26x&user=u');
    expect(request.body).toBe('message=hi&token=old');
  });
});
