// tsyringe needs the Reflect metadata polyfill loaded before it; import the container from here.
import 'reflect-metadata';

export { container as rootContainer, type DependencyContainer } from 'tsyringe';
