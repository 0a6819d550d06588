import { render } from 'preact';
import { App } from './app';
import { followLink } from './router';
import './styles.css';

document.addEventListener('click', followLink);
render(<App />, document.getElementById('root')!);
